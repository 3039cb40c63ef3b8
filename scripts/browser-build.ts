import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * esbuild plugin for a package's browser build: an import of `./name-node` is redirected to `./name-browser.ts`
 * beside it (not `.node`: tsup treats that suffix as a native addon). The two files export the same things (each `satisfies` one interface), so the
 * code around them is shared and Node-only modules (`node:fs`, `node:path` …) never reach a browser bundle.
 */
export const browserVariants: EsbuildPlugin = {
  name: 'tbptt-browser-variants',
  setup(build) {
    build.onResolve({ filter: /^\..*-node(\.js)?$/ }, (args) => {
      const base = path.resolve(args.resolveDir, args.path.replace(/-node(\.js)?$/, ''));
      const browser = `${base}-browser.ts`;
      if (!existsSync(browser)) {
        throw new Error(`browserVariants: ${args.path} (imported by ${args.importer}) has no ${browser}`);
      }
      return { path: browser };
    });
  },
};

/**
 * The tsup options of a package's browser build: ES modules for bundlers (`platform: 'browser'`), written
 * beside the Node build as `<entry>.browser.js` with its `.d.ts`; `node:` modules are refused.
 */
export function browserBuild(entry: Record<string, string>, extra: Options = {}): Options {
  return {
    entry,
    format: ['esm'],
    platform: 'browser',
    dts: true,
    // No maps: the browser files are small re-bundles of the same sources the Node build maps; maps would
    // double the tarballs.
    sourcemap: false,
    clean: false,
    target: 'es2022',
    removeNodeProtocol: false,
    esbuildPlugins: [browserVariants, noNodeBuiltins],
    ...extra,
  };
}

/** Fails the browser build when any module imports a Node built-in. */
const noNodeBuiltins: EsbuildPlugin = {
  name: 'tbptt-no-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [
        {
          text: `${args.path} imported by ${args.importer}: Node built-ins must stay out of the browser entry`,
        },
      ],
    }));
  },
};
