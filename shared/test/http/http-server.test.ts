import { once } from 'node:events';
import { Agent, get } from 'node:http';
import { expect } from 'chai';
import { PortInUseError } from '../../src/http/http-server.ts';
import { startHttpServer } from '../../src/http/index.ts';
import { rejectionOf } from '../../src/testing/index.ts';

/** GETs a URL through `agent` (a fresh connection by default) and reads the whole answer. */
async function fetchText(url: string, agent: Agent | false = false): Promise<string> {
  const request = get(url, { agent });
  const [response] = (await once(request, 'response')) as [AsyncIterable<Buffer>];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('startHttpServer', () => {
  it('listens on a free port when given port 0', async () => {
    const running = await startHttpServer((_req, res) => res.end('hello'), 0);
    try {
      expect(running.port).to.be.above(0);
      expect(running.server.listening).to.equal(true);
      expect(await fetchText(`http://127.0.0.1:${running.port}/`)).to.equal('hello');
    } finally {
      await running.close();
    }
  });

  it('listens on loopback only unless given another host', async () => {
    const loopback = await startHttpServer((_req, res) => res.end(), 0);
    const everywhere = await startHttpServer((_req, res) => res.end(), 0, '0.0.0.0');
    try {
      expect(loopback.server.address()).to.include({ address: '127.0.0.1' });
      expect(everywhere.server.address()).to.include({ address: '0.0.0.0' });
    } finally {
      await loopback.close();
      await everywhere.close();
    }
  });

  it('rejects with PortInUseError, naming the port, when another server holds it', async () => {
    const holder = await startHttpServer((_req, res) => res.end(), 0);
    try {
      const failed = await startHttpServer((_req, res) => res.end(), holder.port).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).to.be.instanceOf(PortInUseError);
      expect((failed as PortInUseError).port).to.equal(holder.port);
      expect((failed as Error).message).to.equal(`port ${holder.port} on 127.0.0.1 is already in use`);
    } finally {
      await holder.close();
    }
  });

  it('keeps idle keep-alive sockets open longer than a proxy does', async () => {
    const running = await startHttpServer((_req, res) => res.end(), 0);
    await running.close();
    expect(running.server.keepAliveTimeout).to.equal(65_000);
  });

  it('on close, refuses new connections, finishes an in-flight request and closes every kept-alive socket', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = await startHttpServer((req, res) => {
      if (req.url === '/slow') void held.then(() => res.end('done'));
      else res.end('quick');
    }, 0);
    const url = `http://127.0.0.1:${running.port}`;
    // Browsers and proxies keep connections alive: one is idle at close, another busy.
    const idleAgent = new Agent({ keepAlive: true });
    const busyAgent = new Agent({ keepAlive: true });
    try {
      expect(await fetchText(`${url}/quick`, idleAgent)).to.equal('quick');
      const [idleSocket] = Object.values(idleAgent.freeSockets).flat();
      expect(idleSocket, 'an idle kept-alive socket').to.not.equal(undefined);
      const idleClosed = idleSocket ? once(idleSocket, 'close') : Promise.resolve();

      const received = once(running.server, 'request');
      const slow = fetchText(`${url}/slow`, busyAgent);
      await received;
      const closing = running.close();

      const refused = await rejectionOf(fetchText(`${url}/quick`));
      expect(refused).to.have.property('code', 'ECONNREFUSED');
      await idleClosed;

      release();
      expect(await slow).to.equal('done');
      await closing;
      expect(running.server.listening).to.equal(false);
    } finally {
      idleAgent.destroy();
      busyAgent.destroy();
    }
  });
});
