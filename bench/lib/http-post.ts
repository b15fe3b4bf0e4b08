// The load generator's HTTP client. Every scenario that posts over HTTP shares the machine's two
// cores with the system it measures, so the client must cost little: Node's `fetch` (undici) took
// about 490 µs of CPU per request on this machine, `node:http` over a keep-alive agent about 97 µs
// (64 in flight against a trivial local server, same run), so with `fetch` the load generator
// itself took the CPU the services were being measured for.
import http from 'node:http';

/** Sockets kept open per host: above any concurrency a scenario uses, so none waits for one. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

/**
 * POSTs `body` (JSON) to `url`, with a bearer token if given; resolves with the status once the
 * whole answer was read. Rejects on a network error.
 */
export function postJson(url: string, body: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
