import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createLogger } from '../../src/logging/index.ts';
import { type EndedLogin, EndedLoginsSource, type EndedLoginsSourceOptions } from '../../src/tokens/index.ts';

/** How the stand-in for auth answers one request. */
type Answer = (res: ServerResponse) => void;

const json =
  (status: number, body: unknown): Answer =>
  (res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
/** Never answers: the request hangs until the client gives up. */
const silence: Answer = () => undefined;

/** Auth's `GET /auth/ended-logins`, answering each request with the next answer of its script, the last one for good. */
class AuthRecord {
  readonly #server: Server;
  readonly #answers: Answer[] = [];
  /** Each request's `since` and when it arrived (ms). */
  readonly asked: { since: string | null; at: number; path: string }[] = [];

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<AuthRecord> {
    const record: AuthRecord = new AuthRecord(createServer((req, res) => record.#handle(req, res)));
    record.#server.listen(0, '127.0.0.1');
    await once(record.#server, 'listening');
    return record;
  }

  /** Replaces the script: the next requests get these answers in turn, and every one after them the last. */
  answer(...answers: Answer[]): void {
    this.#answers.splice(0, this.#answers.length, ...answers);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/prefix/`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://auth');
    this.asked.push({ since: url.searchParams.get('since'), at: Date.now(), path: url.pathname });
    const next = this.#answers.length > 1 ? this.#answers.shift() : this.#answers[0];
    (next ?? json(404, {}))(res);
  }
}

const TTL_SEC = 900;
const MARGIN_MS = 60_000;
const NOW = Date.parse('2026-01-01T12:00:00.000Z');
const record = (...ended: { sid: string; ended_at: string }[]) => json(200, { ended, access_token_ttl_sec: TTL_SEC });

describe('EndedLoginsSource', () => {
  let auth: AuthRecord;
  let source: EndedLoginsSource;
  let reads: { ended: readonly EndedLogin[]; ttlSec: number }[];
  let failures: number;
  let time: number;

  const sourceWith = (options: Partial<EndedLoginsSourceOptions> = {}) => {
    source = new EndedLoginsSource({
      authUrl: auth.url,
      lookbackMs: (ttlSec) => ttlSec * 1000 + MARGIN_MS,
      sink: (ended, ttlSec) => reads.push({ ended, ttlSec }),
      failures: { inc: () => (failures += 1) },
      logger: createLogger({ service: 'test', level: 'silent' }),
      minBackoffMs: 20,
      maxBackoffMs: 40,
      now: () => time,
      ...options,
    });
    return source;
  };

  beforeEach(async () => {
    auth = await AuthRecord.start();
    reads = [];
    failures = 0;
    time = NOW;
  });

  afterEach(async () => {
    source?.stop();
    await auth.close();
  });

  it('reads back as far as the lookback, learning the lifetime first, and hands the logins to the sink', async () => {
    auth.answer(record({ sid: 'a', ended_at: '2026-01-01T11:59:00.000Z' }));
    expect(await sourceWith().attempt()).to.equal(true);
    // The first question only learns the tokens' lifetime; the second reads the lookback.
    expect(auth.asked.map(({ since, path }) => ({ since, path }))).to.deep.equal([
      { since: new Date(NOW).toISOString(), path: '/prefix/auth/ended-logins' },
      { since: new Date(NOW - TTL_SEC * 1000 - MARGIN_MS).toISOString(), path: '/prefix/auth/ended-logins' },
    ]);
    expect(reads).to.deep.equal([
      { ended: [{ sid: 'a', endedAt: new Date('2026-01-01T11:59:00.000Z') }], ttlSec: TTL_SEC },
    ]);
    // Known from then on: one question per read.
    time += 1000;
    expect(await source.attempt()).to.equal(true);
    expect(auth.asked).to.have.length(3);
    expect(failures).to.equal(0);
  });

  it('retries a failure until auth answers, counting each failure', async () => {
    auth.answer(json(500, {}), json(503, {}), record({ sid: 'b', ended_at: '2026-01-01T11:58:00Z' }));
    await sourceWith().request();
    expect(failures).to.equal(2);
    expect(reads.map((read) => read.ended.map((login) => login.sid))).to.deep.equal([['b']]);
  });

  it('waits longer after each failure: the backoff doubles from minBackoffMs', async () => {
    auth.answer(json(500, {}), json(500, {}), json(500, {}), record());
    await sourceWith({ minBackoffMs: 30, maxBackoffMs: 1000 }).request();
    const gaps = auth.asked.slice(1, 4).map((asked, i) => asked.at - (auth.asked[i]?.at ?? 0));
    expect(failures).to.equal(3);
    // Lower bounds only (timers never fire early by more than a millisecond's rounding).
    expect(gaps[0]).to.be.at.least(29);
    expect(gaps[1]).to.be.at.least(59);
    expect(gaps[2]).to.be.at.least(119);
  });

  it('gives up on a request that outlives timeoutMs: a failure', async () => {
    auth.answer(silence);
    expect(await sourceWith({ timeoutMs: 50 }).attempt()).to.equal(false);
    expect(auth.asked).to.have.length(1);
    expect(failures).to.equal(1);
    expect(reads).to.deep.equal([]);
  });

  it('refuses an answer that is not auth’s: a failure, and the sink hears nothing', async () => {
    const wrong: Answer[] = [
      json(200, { ended: [{ sid: 'c', ended_at: 'yesterday' }], access_token_ttl_sec: TTL_SEC }),
      json(200, { ended: [], access_token_ttl_sec: -1 }),
      json(200, { logins: [] }),
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ended": ['),
    ];
    for (const answer of wrong) {
      const before = auth.asked.length;
      auth.answer(answer);
      expect(await sourceWith().attempt()).to.equal(false);
      expect(auth.asked.length).to.equal(before + 1);
    }
    expect(failures).to.equal(wrong.length);
    expect(reads).to.deep.equal([]);
  });

  it('tryNow: one attempt for every caller while it runs, none within tryNowGapMs of the last', async () => {
    auth.answer(json(500, {}));
    sourceWith({ tryNowGapMs: 1000 });
    await Promise.all([source.tryNow(), source.tryNow(), source.tryNow()]);
    expect(auth.asked).to.have.length(1);
    time += 999;
    await source.tryNow();
    expect(auth.asked).to.have.length(1);
    time += 1;
    auth.answer(record());
    await source.tryNow();
    expect(reads).to.have.length(1);
  });

  it('reads once more when asked again during a read, and stop ends the retries', async () => {
    auth.answer(record());
    sourceWith();
    const first = source.request();
    const again = source.request();
    await Promise.all([first, again]);
    // One read that learns the lifetime (two questions), then one more (one question).
    expect(auth.asked).to.have.length(3);
    expect(reads).to.have.length(2);

    auth.answer(json(500, {}));
    const retrying = source.request();
    source.stop();
    await retrying;
    const asked = auth.asked.length;
    expect(await source.attempt()).to.equal(false);
    expect(auth.asked.length).to.equal(asked);
  });
});
