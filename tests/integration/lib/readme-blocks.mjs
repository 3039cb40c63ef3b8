/**
 * The TypeScript / JavaScript code blocks of the READMEs. A block runs unless its fence says why not:
 * ```ts no-run="needs a browser page"```. Blocks of other languages (sh, json …) are not code to run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const FENCE = /^```(ts|typescript|js|javascript|mjs)([^\n]*)\n([\s\S]*?)^```$/gm;

export function readmeFiles(root) {
  const packages = readdirSync(path.join(root, 'packages')).map((d) => path.join('packages', d, 'README.md'));
  return ['README.md', ...packages].filter((f) => {
    try {
      readFileSync(path.join(root, f));
      return true;
    } catch {
      return false;
    }
  });
}

/** Every block: file, 1-based line of its fence, language, source, and `noRun` (the reason) when set. */
export function readmeBlocks(root) {
  const blocks = [];
  for (const file of readmeFiles(root)) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const m of text.matchAll(FENCE)) {
      const line = text.slice(0, m.index).split('\n').length;
      const attrs = m[2];
      const noRun = /no-run="([^"]*)"/.exec(attrs)?.[1];
      if (/no-run(?!=")/.test(attrs) && noRun === undefined) {
        throw new Error(`${file}:${line}: no-run needs a reason, as no-run="why it cannot run"`);
      }
      blocks.push({ file, line, lang: m[1], source: m[3], noRun });
    }
  }
  return blocks;
}
