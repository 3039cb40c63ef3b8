/**
 * Serves the built site (apps/docs/dist) as static files on 127.0.0.1 with the cross-origin isolation headers
 * (COOP same-origin, COEP require-corp) that the demo's threaded wasm build needs. No server logic: what a
 * static host does, plus the two headers.
 *
 *     npm run preview -w @tbptt/docs            # http://127.0.0.1:4173/
 *     PORT=8080 npm run preview -w @tbptt/docs
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Starts the server. `isolate: false` leaves out the isolation headers (to see the demo without threads).
 * @returns the server and its base URL.
 */
export function serve({ root, host = '127.0.0.1', port = 0, base = '/', isolate = true } = {}) {
  const dir = normalize(root ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path = decodeURIComponent(url.pathname);
    if (!path.startsWith(base)) return notFound(res);
    path = path.slice(base.length - 1);
    let file = normalize(join(dir, path));
    if (file !== dir && !file.startsWith(dir + sep)) return notFound(res);
    const stat = (p) => {
      try {
        return statSync(p);
      } catch {
        return undefined;
      }
    };
    let info = stat(file);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = stat(file);
    } else if (!info && stat(`${file}.html`)) {
      file = `${file}.html`;
      info = stat(file);
    }
    if (!info?.isFile()) return notFound(res);
    const headers = {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': 'no-cache',
      ...(isolate ? ISOLATION_HEADERS : {}),
    };
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  function notFound(res) {
    const page = join(dir, '404.html');
    const exists = (() => {
      try {
        return statSync(page).isFile();
      } catch {
        return false;
      }
    })();
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8', ...(isolate ? ISOLATION_HEADERS : {}) });
    if (exists) createReadStream(page).pipe(res);
    else res.end('not found');
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({ server, url: `http://${host}:${address.port}${base}` });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const { url } = await serve({ port: Number(process.env.PORT ?? 4173), base: process.env.DOCS_BASE ?? '/' });
  console.log(`serving apps/docs/dist at ${url} (cross-origin isolated); Ctrl-C stops`);
}
