import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { withoutEmscriptenHandlers } from './uncaught-errors.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const selectBackendSource = fileURLToPath(new URL('./select-backend.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tbptt-uncaught-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const MESSAGE = 'user typo: modle is not defined';
// A user's script: select wasm, then throw (in a timer, as a rejection, or at the top level after await).
const script = join(scratch, 'user.mts');
writeFileSync(
  script,
  `const { selectBackend } = await import(${JSON.stringify(selectBackendSource)});
const [mode, kind] = process.argv.slice(2);
await selectBackend('wasm', mode === 'threads' ? { threads: 2 } : {});
if (kind === 'timer') setTimeout(() => { throw new Error(${JSON.stringify(MESSAGE)}); }, 1);
else if (kind === 'rejection') Promise.reject(new Error(${JSON.stringify(MESSAGE)}));
else throw new Error(${JSON.stringify(MESSAGE)});
`,
);

describe("issue 9 item 9: after selectBackend('wasm') a user's uncaught error is the user's", () => {
  const cases = [
    ['single-threaded', 'timer'],
    ['single-threaded', 'rejection'],
    ['single-threaded', 'top-level'],
    ['threads', 'timer'],
  ] as const;
  for (const [mode, kind] of cases) {
    it(`${mode}, thrown from a ${kind}: exit code 1, the user's message and stack, no emscripten source`, () => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', script, mode, kind], {
        cwd: packageDir,
        encoding: 'utf8',
        timeout: 60_000,
      });
      // Before: exit code 7 and ~39 KB (threaded: ~55 KB) of minified tf-backend-wasm.node.js on stderr.
      expect(child.status).toBe(1);
      expect(child.stderr).toContain(`Error: ${MESSAGE}`);
      expect(child.stderr).toMatch(/at .*user\.mts:\d+/);
      expect(child.stderr).not.toMatch(/tf-backend-wasm|ExitStatus|instanceof/);
      expect(child.stderr.length).toBeLessThan(2000);
    }, 60_000);
  }
});

describe('withoutEmscriptenHandlers', () => {
  const emscriptenLike = [
    // The two handlers emscripten's Node glue installs (as in tf-backend-wasm.node.js).
    (ex: unknown) => {
      if (!(ex instanceof (globalThis as unknown as { ExitStatus: typeof Error }).ExitStatus)) throw ex;
    },
    (reason: unknown) => {
      throw reason;
    },
  ];

  it("removes the handlers emscripten added during the load, keeps everyone else's, and lets the load's error through", async () => {
    const mine = () => {};
    const before = process.listeners('uncaughtException').length;
    const beforeRejection = process.listeners('unhandledRejection').length;
    const failure = new Error('backend failed to initialise');
    await expect(
      withoutEmscriptenHandlers(async () => {
        process.on('uncaughtException', emscriptenLike[0]!);
        process.on('unhandledRejection', emscriptenLike[1]!);
        process.on('uncaughtException', mine);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(process.listeners('uncaughtException')).not.toContain(emscriptenLike[0]);
    expect(process.listeners('unhandledRejection')).not.toContain(emscriptenLike[1]);
    expect(process.listeners('uncaughtException')).toContain(mine);
    expect(process.listeners('uncaughtException').length).toBe(before + 1);
    expect(process.listeners('unhandledRejection').length).toBe(beforeRejection);
    process.removeListener('uncaughtException', mine);
  });

  it('leaves a rethrowing handler that was there before the load alone, and returns the load value', async () => {
    const earlier = emscriptenLike[1]!;
    process.on('unhandledRejection', earlier);
    try {
      expect(await withoutEmscriptenHandlers(async () => 42)).toBe(42);
      expect(process.listeners('unhandledRejection')).toContain(earlier);
    } finally {
      process.removeListener('unhandledRejection', earlier);
    }
  });
});
