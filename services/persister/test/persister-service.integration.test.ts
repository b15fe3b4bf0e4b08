import { randomUUID } from 'node:crypto';
import { eventually, rejectionOf, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { type RawPublisher, TestBroker, users } from './support/broker.ts';
import { ChildPersister } from './support/child-persister.ts';
import { TestDatabase } from './support/database.ts';
import { Recorder } from './support/recorder.ts';
import { getText, metricValue, startTestPersister } from './support/start-persister.ts';

describe('persister service', () => {
  let database: TestDatabase;
  let broker: TestBroker;
  let bot: RawPublisher;
  let children: ChildPersister[] = [];
  const botName = () => testConfig().users.bot.name;

  /** Starts a persister process; it is killed after the test if it still runs. */
  function startChild(env: Record<string, string> = {}): ChildPersister {
    const child = new ChildPersister(env);
    children.push(child);
    return child;
  }

  before(async () => {
    database = await TestDatabase.open();
    broker = await TestBroker.connect();
    bot = await users.bot();
  });
  afterEach(async () => {
    for (const child of children) await child.ensureGone();
    children = [];
  });
  after(async () => {
    await bot?.close();
    await broker?.close();
    await database?.close();
  });

  it('killed with SIGKILL in the middle of 10,000 messages and started again, stores each exactly once', async function () {
    this.timeout(120_000);
    const { session, exchange } = await broker.createSessionExchange(database);
    const ids: string[] = Array.from({ length: 10_000 }, () => randomUUID());
    const first = startChild();

    // Publishes in chunks, each confirmed, while the persisters come and go.
    const publishing = (async () => {
      for (let start = 0; start < ids.length; start += 500) {
        for (const id of ids.slice(start, start + 500)) {
          bot.send(exchange, `stream ${id}`, { messageId: id, userId: botName() });
        }
        await bot.confirmed();
      }
    })();

    await eventually(async () => (await database.countOf(session)) >= 1000, { intervalMs: 10, timeoutMs: 60_000 });
    const killed = await first.kill('SIGKILL');
    expect(killed.signal).to.equal('SIGKILL');
    const storedAtKill = await database.countOf(session);
    expect(storedAtKill, 'killed mid-stream').to.be.below(ids.length);

    startChild();
    await publishing;
    await eventually(async () => (await database.countOf(session)) === ids.length, {
      intervalMs: 50,
      timeoutMs: 90_000,
    });

    const rows = await database.messagesOf(session);
    expect(new Set(rows.map((row) => row.id))).to.deep.equal(new Set(ids));
    const row = await database.activity(session);
    expect(row?.stored_messages).to.equal(String(ids.length));
    expect(row?.last_message_id).to.equal(ids.at(-1));
  });

  it('on SIGTERM commits and acknowledges the batch it holds, then exits 0', async function () {
    this.timeout(60_000);
    const { session, exchange } = await broker.createSessionExchange(database);
    // A batch that would wait a minute: only the shutdown can close it in time.
    const child = startChild({ BATCH_SIZE: '1000', PREFETCH: '1000', BATCH_MAX_WAIT_MS: '60000' });
    const port = await child.listening;
    const ids: string[] = Array.from({ length: 10 }, () => randomUUID());
    for (const id of ids) bot.send(exchange, `before shutdown ${id}`, { messageId: id, userId: botName() });
    await bot.confirmed();

    await eventually(
      async () =>
        metricValue((await getText(port, '/metrics')).text, 'warren_persister_messages_held{service="persister"}') ===
        ids.length,
    );
    expect(await database.countOf(session)).to.equal(0);

    const exit = await child.kill('SIGTERM');
    expect(exit, child.lines.join('\n')).to.deep.equal({ code: 0, signal: null });
    expect(await database.countOf(session)).to.equal(ids.length);
    expect((await database.activity(session))?.stored_messages).to.equal(String(ids.length));

    // Had any been left unacknowledged, the broker would hand it to the next persister before a
    // message published later: the next one sees no duplicate of them.
    const next = await startTestPersister();
    try {
      const recorder = new Recorder(next.persister);
      const sentinel = randomUUID();
      await bot.publish(exchange, 'after shutdown', { messageId: sentinel, userId: botName() });
      await recorder.stored(sentinel);
      const seen = recorder.batches.flatMap((batch) => [...batch.storedIds, ...batch.duplicateIds]);
      expect(seen.filter((id) => ids.includes(id))).to.deep.equal([]);
    } finally {
      await next.stop();
    }
  });

  it('refuses to start, naming the URL, when the broker cannot be reached', async () => {
    const error = await rejectionOf(startTestPersister({ RABBITMQ_URL: 'amqp://persister:secret@127.0.0.1:1/' }));
    expect(error?.message).to.include('amqp://persister:***@127.0.0.1:1/').and.include('RABBITMQ_URL');
  });

  it('refuses to start, naming the URL, when the database cannot be reached', async () => {
    const error = await rejectionOf(startTestPersister({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/warren' }));
    expect(error?.message).to.include('postgres://postgres@127.0.0.1:1/warren').and.include('DATABASE_URL');
  });
});
