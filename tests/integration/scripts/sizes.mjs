// Packs every package and installs the tarballs into a fresh project (as the integration tests do), then prints
// each package's packed / unpacked size and the project's node_modules size. Run after `npm run build`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { folderBytes, installConsumer, packAll } from '../lib/consumer.mjs';

const work = mkdtempSync(path.join(tmpdir(), 'tbptt-sizes-'));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
try {
  const tarballs = packAll(path.join(work, 'tarballs'));
  for (const t of tarballs) console.log(`${t.name}: packed ${kib(t.size)}, unpacked ${kib(t.unpackedSize)}`);
  const libraries = tarballs.filter((t) => t.name !== '@tbptt/cli');
  installConsumer(path.join(work, 'libs'), libraries);
  const libs = path.join(work, 'libs', 'node_modules');
  console.log(
    `install of the libraries: ${mb(folderBytes(libs))} (@tensorflow ${mb(folderBytes(path.join(libs, '@tensorflow')))})`,
  );
  installConsumer(path.join(work, 'all'), tarballs);
  console.log(`install with the CLI: ${mb(folderBytes(path.join(work, 'all', 'node_modules')))}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
