import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface Listening {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the Node HTTP server for `app`; resolves once it listens (port 0 picks a free one). */
export function listen(app: Hono, port: number, host: string): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        server: server as Server,
        port: info.port,
        url: `http://${urlHost}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            (server as Server).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    }) as Server;
    server.once('error', reject);
  });
}
