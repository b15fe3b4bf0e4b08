import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../src/logging/index.ts';

/** A destination that keeps every JSON line written to it. */
function capture(): { destination: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { destination, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with the service name and an ISO time', () => {
    const { destination, lines } = capture();
    createLogger({ service: 'auth', destination }).child({ module: 'db' }).info({ rows: 2 }, 'migrated');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ service: 'auth', module: 'db', rows: 2, msg: 'migrated', level: 30 });
    expect(new Date(String(lines[0]?.time)).toISOString()).to.equal(lines[0]?.time);
  });

  it('logs at info and above by default, and at the level it is given', () => {
    const byDefault = capture();
    const logger = createLogger({ service: 'auth', destination: byDefault.destination });
    logger.debug('hidden');
    logger.info('shown');
    expect(byDefault.lines.map((line) => line.msg)).to.deep.equal(['shown']);

    const silent = capture();
    createLogger({ service: 'auth', level: 'silent', destination: silent.destination }).error('hidden');
    expect(silent.lines).to.deep.equal([]);
  });

  it('redacts credentials that reach a log line', () => {
    const { destination, lines } = capture();
    createLogger({ service: 'auth', destination }).info(
      {
        req: { headers: { authorization: 'Bearer abc', cookie: 'sid=1', accept: '*/*' } },
        body: { username: 'ann', password: 'hunter22', refresh_token: 'r', access_token: 'a', token: 't' },
      },
      'request',
    );
    expect(lines[0]?.req).to.deep.equal({
      headers: { authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' },
    });
    expect(lines[0]?.body).to.deep.equal({
      username: 'ann',
      password: '[redacted]',
      refresh_token: '[redacted]',
      access_token: '[redacted]',
      token: '[redacted]',
    });
  });
});
