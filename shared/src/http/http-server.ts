import { once } from 'node:events';
import type { RequestListener } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening HTTP server and how to stop it gracefully. */
export interface RunningServer {
  readonly server: Server;
  /** The port it listens on (useful with port 0 in tests). */
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish, then closes every connection. */
  close(): Promise<void>;
}

/** Listens on `port` (0 picks a free one) on every interface. */
export async function startHttpServer(handler: RequestListener, port: number): Promise<RunningServer> {
  const server = createServer(handler);
  // Behind nginx or a load balancer, idle keep-alive sockets must outlive the proxy's own timeout.
  server.keepAliveTimeout = 65_000;
  server.listen(port);
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
