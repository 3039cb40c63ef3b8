import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-binary';

const root = join(__dirname, '..', '..', '..');
const FILES = ['tbptt-kernels.wasm', 'tbptt-kernels-shared.wasm'] as const;
const hasClang = spawnSync(process.env.CLANG ?? 'clang', ['--version']).status === 0;

describe('the committed SIMD kernel binaries', () => {
  it('kernels-binary.ts embeds exactly the committed wasm/*.wasm', () => {
    expect(
      Buffer.from(KERNELS_WASM_BASE64, 'base64').equals(readFileSync(join(root, 'wasm', FILES[0]))),
    ).toBe(true);
    expect(
      Buffer.from(KERNELS_SHARED_WASM_BASE64, 'base64').equals(readFileSync(join(root, 'wasm', FILES[1]))),
    ).toBe(true);
  });

  it.skipIf(!hasClang)(
    'are what wasm/tbptt-kernels.c builds to (clang + lld; skipped without clang)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'tbptt-wasm-'));
      try {
        execFileSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), '--out', dir]);
        for (const file of FILES) {
          expect(readFileSync(join(dir, file)).equals(readFileSync(join(root, 'wasm', file))), file).toBe(
            true,
          );
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  ); // two clang -O3 builds: several seconds on a loaded machine
});
