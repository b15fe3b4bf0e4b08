import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { AmqpClient, names, Publisher, type SessionEventType } from '@warren/shared/amqp';
import {
  encodeChatMessage,
  encodeSessionEvent,
  envelopeHeaders,
  messageIdOf,
  NEW_MESSAGE_STATE,
  newChangeId,
} from '@warren/shared/envelope';
import { HISTORY_SCHEMA } from '@warren/shared/history';
import { createRegistry } from '@warren/shared/http';
import { createLogger } from '@warren/shared/logging';
import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { ChangeStore } from '../src/change-store.ts';
import { MessageStore } from '../src/message-store.ts';
import { createPersisterMetrics } from '../src/metrics.ts';
import { Persister } from '../src/persister.ts';
import type { PersisterService } from '../src/persister-service.ts';
import { type RawPublisher, TestBroker, users } from './support/broker.ts';
import { TestDatabase } from './support/database.ts';
import { Recorder } from './support/recorder.ts';
import { getText, metricValue, startTestPersister } from './support/start-persister.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const json = (body: unknown) => JSON.stringify(body);

/**
 * Closes the persister's broker connection as an operator would, from the management UI. Its list
 * lags and may still show connections of persisters stopped earlier, so every `persister`
 * connection listed is closed until this one reports the loss.
 */
async function closeConnectionsOf(service: PersisterService): Promise<void> {
  const management = new ManagementClient(testConfig().managementUrl);
  let lost = false;
  service.amqp.once('disconnected', () => {
    lost = true;
  });
  await eventually(
    async () => {
      for (const connection of await management.connections(testConfig().vhost)) {
        if (lost || connection.client_properties?.connection_name !== 'persister') continue;
        await management.closeConnection(connection.name, 'test: the broker connection goes').catch(() => undefined);
      }
      return lost;
    },
    { intervalMs: 500 },
  );
}

describe('persister', () => {
  let database: TestDatabase;
  let broker: TestBroker;
  let bot: RawPublisher;
  let chatApi: RawPublisher;
  const botName = () => testConfig().users.bot.name;
  const chatApiName = () => testConfig().users['chat-api'].name;

  const poster = { kind: 'user', id: randomUUID(), username: 'alice' } as const;

  /** Publishes a chat user's message as chat-api does. */
  async function post(session: string, content: string, reply_to: string | null = null): Promise<string> {
    const message = {
      id: randomUUID(),
      session_id: session,
      author: poster,
      type: 'text',
      content,
      extra: null,
      created_at: new Date().toISOString(),
      reply_to,
      ...NEW_MESSAGE_STATE,
    };
    const outgoing = encodeChatMessage({ message, publisher: chatApiName() });
    await chatApi.publish(outgoing.exchange, outgoing.content, { ...outgoing.options });
    return message.id;
  }

  /** Publishes a change event as `publisher` (chat-api unless said otherwise); answers its id. */
  async function change(
    session: string,
    event: SessionEventType,
    data: Record<string, unknown>,
    publisher: RawPublisher = chatApi,
    id = newChangeId(),
  ): Promise<string> {
    const outgoing = encodeSessionEvent({
      sessionId: session,
      event,
      data: { session_id: session, ...data },
      publisher: publisher === chatApi ? chatApiName() : botName(),
      messageId: id,
    });
    await publisher.publish(outgoing.exchange, outgoing.content, { ...outgoing.options });
    return id;
  }

  /** A persister of this process on a broker connection of its own, batching as `batching` says. */
  async function startPersister(
    batching: { batchSize: number; batchMaxWaitMs: number },
    metrics = createPersisterMetrics(createRegistry('persister')),
  ): Promise<{ amqp: AmqpClient; persister: Persister; recorder: Recorder }> {
    const logger = createLogger({ service: 'persister', level: testConfig().logLevel });
    const amqp = new AmqpClient({ url: testConfig().users.persister.url, connectionName: 'persister', logger });
    await amqp.start();
    const persister = new Persister({
      amqp,
      publisher: new Publisher(amqp, { registry: createRegistry('persister') }),
      store: new MessageStore(database.db),
      changes: new ChangeStore(database.db),
      metrics,
      logger,
      trustedPublishers: [chatApiName()],
      ...batching,
      prefetch: 20,
      retryInitialMs: 50,
      retryMaxMs: 200,
    });
    const recorder = new Recorder(persister);
    await persister.start();
    return { amqp, persister, recorder };
  }

  before(async () => {
    database = await TestDatabase.open();
    broker = await TestBroker.connect();
    bot = await users.bot();
    chatApi = await users.chatApi();
  });
  after(async () => {
    await bot?.close();
    await chatApi?.close();
    await broker?.close();
    await database?.close();
  });

  describe('storing and dead-lettering', () => {
    let service: PersisterService;
    let recorder: Recorder;

    before(async () => {
      service = await startTestPersister();
      recorder = new Recorder(service.persister);
    });
    after(async () => {
      await service?.stop();
    });

    it('stores a bot message published straight to the session exchange, by the bot, with the derived id', async () => {
      const { session, exchange } = await broker.createSessionExchange(database);
      const timestamp = Math.floor(Date.now() / 1000);
      const content = json({ content: '  it is raining  ', extra: { mm: 3 } });
      await bot.publish(exchange, content, { userId: botName(), contentType: 'application/json', timestamp });
      const id = messageIdOf({
        fields: { exchange },
        properties: { userId: botName(), timestamp },
        content: Buffer.from(content),
      });

      await recorder.stored(id);
      const row = await database.message(id);
      expect(row).to.deep.include({
        session_id: session,
        author_kind: 'bot',
        author_id: null,
        author_name: botName(),
        type: 'text',
        content: 'it is raining',
        extra: { mm: 3 },
      });
      expect(row?.created_at.getTime()).to.equal(timestamp * 1000);
    });

    it('stores a message without user_id and with a plain-text body as a system message', async () => {
      const session = await broker.createSession(database);
      const id = randomUUID();
      await bot.publish(names.sessionExchange(session), 'the session was archived\n', { messageId: id });
      await recorder.stored(id);
      expect(await database.message(id)).to.deep.include({
        author_kind: 'system',
        author_id: null,
        author_name: null,
        content: 'the session was archived',
      });
    });

    it('stores a message from chat-api with author headers as that chat user, with its created_at', async () => {
      const session = await broker.createSession(database);
      const author = { kind: 'user' as const, id: randomUUID(), username: 'alice' };
      const message = {
        id: randomUUID(),
        session_id: session,
        author,
        type: 'text',
        content: 'hello from the web',
        extra: null,
        created_at: new Date(Date.now() - 1500).toISOString(),
        reply_to: null,
        ...NEW_MESSAGE_STATE,
      };
      const outgoing = encodeChatMessage({ message, publisher: chatApiName() });
      await chatApi.publish(outgoing.exchange, outgoing.content, { ...outgoing.options });
      await recorder.stored(message.id);
      const row = await database.message(message.id);
      expect(row).to.deep.include({ author_kind: 'user', author_id: author.id, author_name: 'alice' });
      expect(row?.created_at.toISOString()).to.equal(message.created_at);
    });

    it('stores a message from the bot with forged author headers as the bot', async () => {
      const session = await broker.createSession(database);
      const id = randomUUID();
      await bot.publish(names.sessionExchange(session), 'I am alice, honestly', {
        messageId: id,
        userId: botName(),
        headers: { [envelopeHeaders.authorId]: randomUUID(), [envelopeHeaders.authorName]: 'alice' },
      });
      await recorder.stored(id);
      expect(await database.message(id)).to.deep.include({
        author_kind: 'bot',
        author_id: null,
        author_name: botName(),
      });
    });

    it('dead-letters content of 5000 characters with its reason, then stores the next message', async () => {
      const { exchange } = await broker.createSessionExchange(database);
      const [tooLong, next] = [randomUUID(), randomUUID()];
      const body = json({ content: 'x'.repeat(5000) });
      await bot.publish(exchange, body, { messageId: tooLong, userId: botName(), contentType: 'application/json' });
      await bot.publish(exchange, 'fine', { messageId: next, userId: botName() });

      const report = await recorder.deadLettered(tooLong);
      expect(report.reason).to.equal('content_too_long');
      await recorder.stored(next);
      expect(await database.message(tooLong)).to.equal(undefined);

      const letter = await broker.takeDeadLetter(tooLong);
      expect(letter.content.toString()).to.equal(body);
      expect(letter.properties.contentType).to.equal('application/json');
      expect(letter.properties.headers).to.include({
        [envelopeHeaders.error]: 'content_too_long: content is 5000 characters, more than 4000',
        [envelopeHeaders.originalExchange]: exchange,
        [envelopeHeaders.originalUserId]: botName(),
      });
    });

    it('dead-letters a message for a session that is not in chat.sessions with unknown_session', async () => {
      const session = await broker.createSession(database, { inDatabase: false });
      const id = randomUUID();
      await bot.publish(names.sessionExchange(session), 'anyone here?', { messageId: id, userId: botName() });
      expect((await recorder.deadLettered(id)).reason).to.equal('unknown_session');
      const letter = await broker.takeDeadLetter(id);
      expect(letter.properties.headers?.[envelopeHeaders.error]).to.equal(
        `unknown_session: session ${session} does not exist`,
      );
      expect(await database.message(id)).to.equal(undefined);
    });

    it('dead-letters a message PostgreSQL refuses (storage_rejected) and stores the rest of its batch', async () => {
      const { exchange } = await broker.createSessionExchange(database);
      const [refused, fine] = [randomUUID(), randomUUID()];
      const poison = `refused by a constraint ${refused}`;
      // The envelope lets through everything PostgreSQL can store as far as it knows; a constraint
      // stands in for whatever else the database may refuse.
      const constraint = `test_refuse_${refused.slice(0, 8)}`;
      // DDL takes no bind parameters; the literal is letters, digits, spaces and dashes only.
      await database.db.raw(`alter table ??.messages add constraint ?? check (content <> '${poison}')`, [
        HISTORY_SCHEMA,
        constraint,
      ]);
      try {
        const headers = { [envelopeHeaders.authorId]: randomUUID(), [envelopeHeaders.authorName]: 'alice' };
        const options = { userId: chatApiName(), contentType: 'application/json', headers };
        chatApi.send(exchange, json({ content: poison, created_at: new Date().toISOString() }), {
          ...options,
          messageId: refused,
        });
        chatApi.send(exchange, json({ content: 'new', created_at: new Date().toISOString() }), {
          ...options,
          messageId: fine,
        });
        await chatApi.confirmed();
        expect((await recorder.deadLettered(refused)).reason).to.equal('storage_rejected');
        await recorder.stored(fine);
        const letter = await broker.takeDeadLetter(refused);
        expect(letter.properties.headers?.[envelopeHeaders.error]).to.match(/^storage_rejected: /);
      } finally {
        await database.db.raw('alter table ??.messages drop constraint ??', [HISTORY_SCHEMA, constraint]);
      }
    });

    it('dead-letters a trusted created_at before the year 2000 by the envelope rule, before PostgreSQL sees it', async () => {
      const session = await broker.createSession(database);
      const id = randomUUID();
      const headers = { [envelopeHeaders.authorId]: randomUUID(), [envelopeHeaders.authorName]: 'alice' };
      await chatApi.publish(
        names.sessionExchange(session),
        json({ content: 'old', created_at: '1999-12-31T23:59:59Z' }),
        { userId: chatApiName(), contentType: 'application/json', headers, messageId: id },
      );
      expect((await recorder.deadLettered(id)).reason).to.equal('invalid_created_at');
      expect(await database.message(id)).to.equal(undefined);
    });

    it('dead-letters hostile messages with their reason in x-warren-error and stores the good ones between', async () => {
      const { session, exchange } = await broker.createSessionExchange(database);
      const deep = `{"content":"deep","extra":${'{"a":'.repeat(1400)}{}${'}'.repeat(1400)}}`;
      expect(Buffer.byteLength(deep)).to.be.below(9000);
      const hostile: [string, string, Record<string, unknown>, string][] = [
        [
          randomUUID(),
          deep,
          { contentType: 'application/json' },
          'extra_too_deep: extra nests more than 16 levels deep',
        ],
        [randomUUID(), 'from the far future', { timestamp: 253_402_300_800 }, 'invalid_timestamp: '],
        [randomUUID(), 'from long ago', { timestamp: 1 }, 'invalid_timestamp: '],
        [randomUUID(), '\u200b\u200d\u2060', {}, 'content_invisible: '],
      ];
      const good: string[] = [];
      for (const [id, body, properties] of hostile) {
        await bot.publish(exchange, body, { ...properties, messageId: id, userId: botName() });
        const next = randomUUID();
        good.push(next);
        await bot.publish(exchange, `fine after ${id}`, { messageId: next, userId: botName() });
      }
      await recorder.stored(...good);
      for (const [id, body, , error] of hostile) {
        expect((await recorder.deadLettered(id)).error.startsWith(error), error).to.equal(true);
        const letter = await broker.takeDeadLetter(id);
        expect(letter.content.toString()).to.equal(body);
        const header = String(letter.properties.headers?.[envelopeHeaders.error]);
        expect(header.startsWith(error), header).to.equal(true);
        expect(await database.message(id)).to.equal(undefined);
      }
      expect(await database.countOf(session)).to.equal(good.length);
    });

    it('dead-letters a message id already stored for another session or author as id_collision', async () => {
      const [session, other] = [await broker.createSession(database), await broker.createSession(database)];
      const id = randomUUID();
      await bot.publish(names.sessionExchange(session), 'the first', { messageId: id, userId: botName() });
      await recorder.stored(id);
      const reused = { messageId: id, userId: botName() };
      await bot.publish(names.sessionExchange(other), 'reused elsewhere', reused);
      expect((await recorder.deadLettered(id)).reason).to.equal('id_collision');
      const letter = await broker.takeDeadLetter(id);
      expect(letter.content.toString()).to.equal('reused elsewhere');
      expect(letter.properties.headers).to.include({
        [envelopeHeaders.error]: `id_collision: message id ${id} is already stored for another session or author`,
        [envelopeHeaders.originalExchange]: names.sessionExchange(other),
      });
      // A redelivery of the same message stays a duplicate, acknowledged.
      await bot.publish(names.sessionExchange(session), 'the first', reused);
      await recorder.until(() => recorder.batches.some((batch) => batch.duplicateIds.includes(id)));
      expect(await database.message(id)).to.deep.include({ session_id: session, content: 'the first' });
      expect(await database.countOf(other)).to.equal(0);
      expect(recorder.deadLetters.filter((letter) => letter.messageId === id)).to.have.length(1);
    });

    it('acknowledges a session event without storing it, and dead-letters one from an untrusted publisher', async () => {
      const { session, exchange } = await broker.createSessionExchange(database);
      const [trusted, forged] = [randomUUID(), randomUUID()];
      const body = json({ session_id: session, user: { id: randomUUID(), username: 'bob' }, version: 2 });
      const event = { type: 'member.joined', contentType: 'application/json' };
      await chatApi.publish(exchange, body, { ...event, messageId: trusted, userId: chatApiName() });
      await bot.publish(exchange, body, { ...event, messageId: forged, userId: botName() });

      await recorder.until(() => recorder.events.some((e) => e.messageId === trusted));
      expect(recorder.events.find((e) => e.messageId === trusted)).to.deep.equal({
        event: 'member.joined',
        sessionId: session,
        messageId: trusted,
      });
      expect((await recorder.deadLettered(forged)).reason).to.equal('untrusted_event');
      await broker.takeDeadLetter(forged);
      expect(await database.message(trusted)).to.equal(undefined);
      expect(await database.activity(session)).to.equal(undefined);
    });

    describe('message changes', () => {
      const reactionsOf = (messageId: string) =>
        database.db
          .withSchema(HISTORY_SCHEMA)
          .from('reactions')
          .where({ message_id: messageId, present: true })
          .select('emoji', 'user_id');

      it('applies an edit, reactions and a reply published with their message, each once however often delivered', async () => {
        const session = await broker.createSession(database);
        const id = await post(session, 'first words');
        const bob = { id: randomUUID(), username: 'bob' };
        const edited_at = new Date().toISOString();
        const edit = await change(session, 'message.edited', { message_id: id, content: 'better words', edited_at });
        await change(session, 'reaction.added', { message_id: id, emoji: '👍', user: bob });
        const reply = await post(session, 'a reply', id);
        await recorder.stored(id, reply);
        await recorder.until(() => recorder.batches.reduce((n, batch) => n + batch.changes, 0) >= 2, 'two changes');
        await eventually(async () => (await reactionsOf(id)).length === 1);
        expect(await database.message(id)).to.deep.include({ content: 'better words', edit_id: edit });
        expect((await database.message(reply))?.reply_to).to.equal(id);

        // The same edit and reaction again (a redelivery), then an older edit: nothing changes.
        await change(session, 'message.edited', { message_id: id, content: 'better words', edited_at }, chatApi, edit);
        await change(session, 'reaction.added', { message_id: id, emoji: '👍', user: bob });
        const older = '00000000-0000-7000-8000-000000000000';
        const stale = await change(
          session,
          'message.edited',
          { message_id: id, content: 'stale', edited_at },
          chatApi,
          older,
        );
        const staleRecorded = recorder.batches.length;
        await recorder.until(
          () => recorder.batches.length > staleRecorded || recorder.deadLetters.some((l) => l.messageId === stale),
        );
        await change(session, 'message.deleted', { message_id: reply, deleted_at: new Date().toISOString() });
        await eventually(async () => (await database.message(reply))?.deleted_at !== null);
        expect(await database.message(id)).to.deep.include({ content: 'better words', edit_id: edit });
        expect(await reactionsOf(id)).to.deep.equal([{ emoji: '👍', user_id: bob.id }]);
        expect(await database.message(reply)).to.deep.include({ content: '', extra: {} });
      });

      it('dead-letters a message.edited forged by a bot as untrusted_event, and the message stays as it was', async () => {
        const session = await broker.createSession(database);
        const id = await post(session, 'my own words');
        await recorder.stored(id);
        const data = { message_id: id, content: 'words put in my mouth', edited_at: new Date().toISOString() };
        const forged = await change(session, 'message.edited', data, bot);
        const letter = await recorder.deadLettered(forged);
        expect(letter.reason).to.equal('untrusted_event');
        const dead = await broker.takeDeadLetter(forged);
        expect(String(dead.properties.headers?.[envelopeHeaders.error])).to.match(/^untrusted_event: message.edited/);
        expect(await database.message(id)).to.deep.include({ content: 'my own words', edited_at: null });
      });

      it('dead-letters a change of a message not stored in its session (unknown_message) and a reply to none (unknown_reply_to)', async () => {
        const [session, other] = [await broker.createSession(database), await broker.createSession(database)];
        const elsewhere = await post(other, 'in another session');
        await recorder.stored(elsewhere);
        const data = { message_id: elsewhere, content: 'crossing over', edited_at: new Date().toISOString() };
        const crossing = await change(session, 'message.edited', data);
        expect((await recorder.deadLettered(crossing)).reason).to.equal('unknown_message');
        await broker.takeDeadLetter(crossing);
        const orphan = await post(session, 'replying to nothing here', elsewhere);
        expect((await recorder.deadLettered(orphan)).reason).to.equal('unknown_reply_to');
        const dead = await broker.takeDeadLetter(orphan);
        expect(String(dead.properties.headers?.[envelopeHeaders.error])).to.match(/^unknown_reply_to: /);
        expect(await database.message(elsewhere)).to.deep.include({ content: 'in another session', edited_at: null });
      });
    });

    it('stores a message delivered twice once, and the version grows by one', async () => {
      const session = await broker.createSession(database);
      const id = randomUUID();
      const options = { messageId: id, userId: botName() };
      await bot.publish(names.sessionExchange(session), 'once only', options);
      await recorder.stored(id);
      await bot.publish(names.sessionExchange(session), 'once only', options);
      await recorder.until(() => recorder.batches.some((batch) => batch.duplicateIds.includes(id)));

      expect(recorder.storedCount.get(id)).to.equal(1);
      expect(await database.countOf(session)).to.equal(1);
      const row = await database.activity(session);
      expect(row?.stored_messages).to.equal('1');
      expect(row?.last_message_id).to.equal(id);
    });

    it('stores 1000 messages published at once in far fewer transactions, each once', async () => {
      const { session, exchange } = await broker.createSessionExchange(database);
      const ids: string[] = Array.from({ length: 1000 }, () => randomUUID());
      for (const [i, id] of ids.entries()) bot.send(exchange, `message ${i}`, { messageId: id, userId: botName() });
      await bot.confirmed();
      await recorder.stored(...ids);

      const ours = new Set(ids);
      const batches = recorder.batches.filter((batch) => batch.storedIds.some((id) => ours.has(id)));
      expect(batches.length).to.be.at.most(100);
      expect(ids.every((id) => recorder.storedCount.get(id) === 1)).to.equal(true);
      expect(await database.countOf(session)).to.equal(1000);
      const row = await database.activity(session);
      expect(row?.stored_messages).to.equal('1000');
      expect(row?.last_message_id).to.equal(ids[999]);
    });

    it('answers /healthz and /readyz, and names its connection `persister`', async () => {
      expect((await getText(service.port, '/healthz')).status).to.equal(200);
      const ready = await getText(service.port, '/readyz');
      expect(ready.status).to.equal(200);
      expect(JSON.parse(ready.text).checks).to.deep.equal({ rabbitmq: 'ok', database: 'ok' });
      const management = new ManagementClient(testConfig().managementUrl);
      const connection = await eventually(async () =>
        (await management.connections(testConfig().vhost)).find(
          (c) => c.client_properties?.connection_name === 'persister',
        ),
      );
      expect(connection.user).to.equal(testConfig().users.persister.name);
    });

    it('shows the stored counter, the batch size histogram and the lag at /metrics', async () => {
      const metrics = async () => {
        const { status, text } = await getText(service.port, '/metrics');
        expect(status).to.equal(200);
        return { text, sample: (name: string) => metricValue(text, `${name}{service="persister"}`) ?? 0 };
      };
      const before = await metrics();
      const session = await broker.createSession(database);
      const id = randomUUID();
      // No timestamp: created_at is when the persister received it, so the lag is the persister's own.
      await bot.publish(names.sessionExchange(session), 'measure me', { messageId: id, userId: botName() });
      await recorder.stored(id);

      // The earlier tests' traffic is all settled (FIFO), so the difference is this one message.
      const after = await metrics();
      const grew = (name: string) => after.sample(name) - before.sample(name);
      expect(grew('warren_persister_messages_stored_total')).to.equal(1);
      expect(grew('warren_persister_batch_size_count')).to.equal(1);
      expect(grew('warren_persister_batch_size_sum')).to.equal(1);
      expect(after.text).to.match(/^warren_persister_batch_size_bucket\{le="200",service="persister"\} \d+$/m);
      expect(after.sample('warren_persister_duplicates_skipped_total')).to.be.at.least(1);
      expect(
        metricValue(after.text, 'warren_persister_dead_lettered_total{reason="content_too_long",service="persister"}'),
      ).to.be.at.least(1);
      expect(after.sample('warren_persister_lag_seconds')).to.be.within(0, 1);
    });
  });

  describe('while PostgreSQL is unreachable', () => {
    let proxy: TcpProxy;
    let service: PersisterService;
    let recorder: Recorder;

    before(async () => {
      const target = new URL(testConfig().databaseUrl);
      proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
      service = await startTestPersister({
        DATABASE_URL: proxy.urlFor(testConfig().databaseUrl),
        STORE_RETRY_INITIAL_MS: '20',
        STORE_RETRY_MAX_MS: '200',
      });
      recorder = new Recorder(service.persister);
    });
    after(async () => {
      proxy?.restore();
      await service?.stop();
      await proxy?.close();
    });

    it('acknowledges nothing, drops what it holds when the broker connection goes, and stores all once after', async function () {
      this.timeout(60_000);
      const { session, exchange } = await broker.createSessionExchange(database);
      const ids: string[] = Array.from({ length: 50 }, () => randomUUID());

      proxy.cut();
      for (const id of ids) bot.send(exchange, `during the outage ${id}`, { messageId: id, userId: botName() });
      await bot.confirmed();
      await eventually(() => service.persister.held === ids.length, { intervalMs: 20 });
      await recorder.until(() => recorder.storeFailures.length >= 2);
      expect((await getText(service.port, '/readyz')).status).to.equal(503);
      expect(await database.countOf(session)).to.equal(0);

      // Only the broker still has the messages once the persister drops its batch: had any been
      // acknowledged before a commit, it would now be lost.
      const reconnected = once(service.amqp, 'connected');
      await closeConnectionsOf(service);
      await recorder.until(() => recorder.dropped.reduce((sum, size) => sum + size, 0) >= ids.length);
      await reconnected;

      proxy.restore();
      await recorder.stored(...ids);
      expect(ids.every((id) => recorder.storedCount.get(id) === 1)).to.equal(true);
      expect(await database.countOf(session)).to.equal(ids.length);
      expect((await database.activity(session))?.stored_messages).to.equal(String(ids.length));
      expect((await getText(service.port, '/readyz')).status).to.equal(200);
    });
  });
  describe('when handling a delivery throws', () => {
    let amqp: AmqpClient;
    let persister: Persister;
    let recorder: Recorder;
    /** The content whose handling fails: the held gauge below throws while counting it in. */
    const poison = `poison ${randomUUID()}`;
    let failing = false;

    before(async () => {
      const metrics = createPersisterMetrics(createRegistry('persister'));
      // Fault injection: a bug anywhere in handling stands for any other.
      const set = metrics.held.set.bind(metrics.held) as (value: number) => void;
      metrics.held.set = ((value: number) => {
        if (failing) {
          failing = false;
          throw new TypeError('a bug while handling');
        }
        set(value);
      }) as typeof metrics.held.set;
      ({ amqp, persister, recorder } = await startPersister({ batchSize: 10, batchMaxWaitMs: 20 }, metrics));
    });
    after(async () => {
      await persister?.stop();
      await amqp?.close();
    });

    it('dead-letters it with handler_failed in x-warren-error, and the others flow on', async () => {
      const { exchange } = await broker.createSessionExchange(database);
      const [sentinel, bad, good] = [randomUUID(), randomUUID(), randomUUID()];
      // Once the sentinel is stored, whatever an earlier persister left in the queue has come before
      // it: the next delivery handled is the poison.
      await bot.publish(exchange, 'sentinel', { messageId: sentinel, userId: botName() });
      await recorder.stored(sentinel);
      failing = true;
      await bot.publish(exchange, poison, { messageId: bad, userId: botName() });
      await bot.publish(exchange, 'after the bug', { messageId: good, userId: botName() });
      expect((await recorder.deadLettered(bad)).reason).to.equal('handler_failed');
      await recorder.stored(good);
      const letter = await broker.takeDeadLetter(bad);
      expect(letter.content.toString()).to.equal(poison);
      expect(letter.properties.headers?.[envelopeHeaders.error]).to.equal(
        'handler_failed: handling the message threw (TypeError: a bug while handling)',
      );
      expect(await database.message(bad)).to.equal(undefined);
    });
  });

  describe('a change of a message of its own batch', () => {
    let amqp: AmqpClient;
    let persister: Persister;
    let recorder: Recorder;

    before(async () => {
      // Batches close only when full (3 messages; changes do not count): the test sets what goes together.
      ({ amqp, persister, recorder } = await startPersister({ batchSize: 3, batchMaxWaitMs: 600_000 }));
    });
    after(async () => {
      await persister?.stop();
      await amqp?.close();
    });

    it('is applied with it, once, in the transaction that stores it', async () => {
      const session = await broker.createSession(database);
      const first = await post(session, 'first words');
      const edit = await change(session, 'message.edited', {
        message_id: first,
        content: 'better words',
        edited_at: new Date().toISOString(),
      });
      const filler = [await post(session, 'two'), await post(session, 'three')];
      await recorder.stored(first, ...filler);
      const batch = recorder.batches.find((stored) => stored.storedIds.includes(first));
      expect(batch).to.deep.include({ size: 4, changes: 1, deadLettered: 0 });
      expect(await database.message(first)).to.deep.include({ content: 'better words', edit_id: edit });
      expect(persister.held, 'every delivery acknowledged').to.equal(0);
    });
  });
});
