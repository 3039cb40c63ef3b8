/**
 * The headers that make a page cross-origin isolated (`self.crossOriginIsolated`), which browsers require
 * for SharedArrayBuffer and so for tfjs's threaded wasm build. Every host of the built site should send them
 * (see the Backends guide); `scripts/serve.mjs` does.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** What of a Vite plugin this needs (typed here: the repository has two Vite versions, VitePress's and Vitest's). */
interface DevServerPlugin {
  name: string;
  configureServer(server: {
    middlewares: {
      use(
        handler: (
          req: unknown,
          res: { setHeader(name: string, value: string): void },
          next: () => void,
        ) => void,
      ): void;
    };
  }): void;
}

/** Sends the isolation headers from `vitepress dev` (Vite's dev server). */
export function crossOriginIsolation(): DevServerPlugin {
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
