import type { Plugin } from 'vite';

/**
 * The headers that make a page cross-origin isolated (`self.crossOriginIsolated`), which browsers require
 * for SharedArrayBuffer and so for tfjs's threaded wasm build. Every host of the built site should send them
 * (see the Backends guide); `scripts/serve.mjs` does.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Sends the isolation headers from `vitepress dev` (Vite's dev server). */
export function crossOriginIsolation(): Plugin {
  return {
    name: 'tbptt-cross-origin-isolation',
    configureServer(server) {
      server.middlewares.use((_req, res, next) => {
        for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
        next();
      });
    },
  };
}
