import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fixture server answers one path. */
export type Route =
  /** 200 with the body; `chunked` omits Content-Length. */
  | { kind: 'ok'; body: Uint8Array; chunked?: boolean }
  /** Announces the full length, sends `sendBytes` of it, then drops the connection. */
  | { kind: 'truncate'; body: Uint8Array; sendBytes: number }
  /** Answers with this status and a short text body. */
  | { kind: 'status'; status: number }
  /** Sends headers and `sendBytes` of the body, then goes silent (never ends the response). */
  | { kind: 'stall'; body: Uint8Array; sendBytes: number }
  /** Never answers at all. */
  | { kind: 'hang' };

export interface FixtureServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A local HTTP server on 127.0.0.1 (an ephemeral port) serving `routes` by path; 404 otherwise. */
export async function startFixtureServer(routes: Record<string, Route>): Promise<FixtureServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    const route = routes[path];
    if (route === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    switch (route.kind) {
      case 'ok':
        response.writeHead(
          200,
          route.chunked ? { 'content-type': 'text/plain' } : { 'content-length': String(route.body.length) },
        );
        response.end(route.body);
        return;
      case 'truncate':
        response.writeHead(200, { 'content-length': String(route.body.length) });
        response.write(route.body.subarray(0, route.sendBytes), () => {
          // Let the bytes leave, then cut the connection short of the announced length.
          setTimeout(() => response.socket?.destroy(), 20);
        });
        return;
      case 'status':
        response.writeHead(route.status, { 'content-type': 'text/plain' }).end(`status ${route.status}`);
        return;
      case 'stall':
        response.writeHead(200, { 'content-length': String(route.body.length) });
        response.write(route.body.subarray(0, route.sendBytes));
        return;
      case 'hang':
        return;
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
