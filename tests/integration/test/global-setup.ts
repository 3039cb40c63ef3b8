import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { installConsumer, packAll } from '../lib/consumer.mjs';

/**
 * Packs every workspace package (they must be built: `npm run build` first) and installs the tarballs into a
 * fresh project under the temporary folder, offline. Tests read its path from `TBPTT_CONSUMER`.
 */
export default function setup(project: TestProject): void {
  const work = mkdtempSync(path.join(tmpdir(), 'tbptt-integration-'));
  const tarballs = packAll(path.join(work, 'tarballs'));
  const consumer = path.join(work, 'consumer');
  installConsumer(consumer, tarballs);
  writeFileSync(path.join(work, 'tarballs.json'), JSON.stringify(tarballs, null, 2));
  project.provide('consumer', consumer);
  project.provide('work', work);
}

declare module 'vitest' {
  export interface ProvidedContext {
    consumer: string;
    work: string;
  }
}
