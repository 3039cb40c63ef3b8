// Adds up vitest's per-package "Tests  N passed | M failed | K skipped" lines from a turbo log and prints one
// closing line, "tests: N passed, M failed, K skipped", so the whole run has a single total.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2] ?? 0, 'utf8').replace(
  new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'),
  '',
);
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const line of text.split('\n')) {
  const match = /\bTests\s+(.*)\(\d+\)\s*$/.exec(line);
  if (!match) continue;
  for (const part of (match[1] ?? '').split('|')) {
    const count = /(\d+)\s+(passed|failed|skipped)/.exec(part);
    if (count) totals[count[2]] += Number(count[1]);
  }
}
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
