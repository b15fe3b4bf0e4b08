import { once } from 'node:events';
import type { RequestListener, ServerResponse } from 'node:http';
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

/** Thrown when another process already listens on the port a server was told to take. */
export class PortInUseError extends Error {
  /** The port that was taken. */
  readonly port: number;

  constructor(port: number, host: string, cause: unknown) {
    super(`port ${port} on ${host} is already in use`, { cause });
    this.name = 'PortInUseError';
    this.port = port;
  }
}

/**
 * Listens on `host` and `port` (0 picks a free one). The host defaults to loopback: a server is
 * reachable from elsewhere only when its configuration (HOST) says so.
 * @throws PortInUseError when another process holds the port.
 */
export async function startHttpServer(
  handler: RequestListener,
  port: number,
  host = '127.0.0.1',
): Promise<RunningServer> {
  let closing = false;
  const inFlight = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    if (closing) res.setHeader('connection', 'close');
    handler(req, res);
  });
  // Behind nginx or a load balancer, idle keep-alive sockets must outlive the proxy's own timeout.
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port, host, error);
    throw error;
  }
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        // A kept-alive connection busy with a request would otherwise stay open after its answer
        // until the keep-alive timeout: answers still to come close their connection.
        for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
