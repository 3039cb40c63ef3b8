import type { Server } from 'node:http';

export declare const ISOLATION_HEADERS: Readonly<Record<string, string>>;
export declare function serve(options?: {
  root?: string;
  host?: string;
  port?: number;
  base?: string;
  isolate?: boolean;
}): Promise<{ server: Server; url: string }>;
