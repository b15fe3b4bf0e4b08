import { randomUUID } from 'node:crypto';
import { names } from '@warren/shared/amqp';
import { MAX_REQUEST_ID_LENGTH } from '@warren/shared/envelope';
import type { LogLine } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { useSockets } from '../support/socket-client.ts';
import { registerEach, type TestUser, useWarren } from '../support/warren.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests inspect answers field by field.
type Json = Record<string, any>;

/**
 * docs/operations.md "Traceability" through the real services: the id of the HTTP request that
 * posted or changed a message, or published any other session event (`x-request-id`, given or made
 * by chat-api), is in chat-api's request log line, the persister's log of the batch that stored it
 * (or of the event it acknowledged) and the gateway's log of its decoding, so one grep of it follows
 * the message end to end.
 */
describe('request ids end to end (x-request-id → x-warren-request-id)', () => {
  const warren = useWarren({ env: { 'ws-gateway': { LOG_LEVEL: 'debug' } } });
  const connect = useSockets(() => warren.gatewayUrl);

  /** Calls chat-api as a user with an `x-request-id`; resolves with the status, body and echoed id. */
  const callWithId = async (user: TestUser, method: string, path: string, requestId: string, body?: unknown) => {
    const response = await fetch(`${warren.chatUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${user.token}`,
        'x-request-id': requestId,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as Json | undefined,
      echoed: response.headers.get('x-request-id'),
    };
  };
  const requestLine = (requestId: string) => (line: LogLine) => (line.req as Json | undefined)?.id === requestId;
  const batchWith = (requestId: string) => (line: LogLine) =>
    line.msg === 'batch stored' && Object.values((line.requestIds as Json | undefined) ?? {}).includes(requestId);
  const decodedWith = (requestId: string) => (line: LogLine) =>
    line.msg === 'delivery decoded' && line.requestId === requestId;

  it("follows a post and an edit by their request ids through chat-api's, the persister's and the gateway's logs", async () => {
    const [alice, bob] = await registerEach(warren, 'alice', 'bob');
    const session = await warren.createSession(alice, [bob]);
    // Two sockets, so the gateway has two copies of each message to deliver.
    const sockets = [await connect(alice), await connect(bob)];

    const postId = `trace-post-${randomUUID()}`;
    const posted = await callWithId(alice, 'POST', `/api/sessions/${session}/messages`, postId, { content: 'traced' });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    expect(posted.echoed).to.equal(postId);
    const messageId: string = posted.body?.message.id;
    await Promise.all(sockets.map((socket) => socket.message(messageId)));

    const access = await warren.chat.logs.waitFor(requestLine(postId), { what: `chat-api's log of ${postId}` });
    expect(access.req).to.include({ method: 'POST', url: `/api/sessions/${session}/messages` });
    expect(access.res).to.deep.equal({ statusCode: 202 });
    const batch = await warren.persister.logs.waitFor(batchWith(postId), { what: `the batch of ${postId}` });
    expect(batch.requestIds).to.include({ [messageId]: postId });
    const decoded = await warren.gateway.logs.waitFor(decodedWith(postId), { what: `the decoding of ${postId}` });
    expect(decoded).to.include({ messageId, exchange: names.sessionExchange(session), kind: 'message' });

    const editId = `trace-edit-${randomUUID()}`;
    const edited = await callWithId(alice, 'PATCH', `/api/sessions/${session}/messages/${messageId}`, editId, {
      content: 'traced, edited',
    });
    expect(edited.status, JSON.stringify(edited.body)).to.equal(202);
    await Promise.all(
      sockets.map((socket) => socket.waitFor((frame) => frame.type === 'event' && frame.event === 'message.edited')),
    );
    await warren.chat.logs.waitFor(requestLine(editId), { what: `chat-api's log of ${editId}` });
    await warren.persister.logs.waitFor(batchWith(editId), { what: `the batch of ${editId}` });
    const change = await warren.gateway.logs.waitFor(decodedWith(editId), { what: `the decoding of ${editId}` });
    expect(change).to.include({ exchange: names.sessionExchange(session), kind: 'event' });

    // Both copies of the post were delivered before the edit was made, so their log lines came before
    // the edit's on the gateway's stdout: the message was logged once, not once per socket.
    expect(warren.gateway.logs.all.filter(decodedWith(postId))).to.have.length(1);
  });

  it('follows the session events a request publishes (member.joined, session.updated, read, typing) by its id', async () => {
    const [alice, bob, carol] = await registerEach(warren, 'alice', 'bob', 'carol');
    const session = await warren.createSession(alice, [bob]);
    const sockets = [await connect(alice), await connect(bob)];
    const posted = await warren.api(alice, 'POST', `/api/sessions/${session}/messages`, { content: 'read me' });
    const message: string = (posted.body as Json).message.id;
    await warren.stored({ id: message });
    const eventFrame = (event: string) => (frame: Json) => frame.type === 'event' && frame.event === event;
    const ackedWith = (requestId: string) => (line: LogLine) =>
      line.msg === 'event acknowledged' && line.requestId === requestId;

    const requests: [string, string, string, unknown][] = [
      ['member.joined', 'POST', `/api/sessions/${session}/members`, { username: carol.username }],
      ['session.updated', 'PATCH', `/api/sessions/${session}`, { name: 'traced room' }],
      ['read', 'POST', `/api/sessions/${session}/read`, { message_id: message }],
      ['typing', 'POST', `/api/sessions/${session}/typing`, undefined],
    ];
    for (const [event, method, path, body] of requests) {
      const requestId = `trace-${event}-${randomUUID()}`;
      const answer = await callWithId(alice, method, path, requestId, body);
      expect(answer.status, `${event}: ${JSON.stringify(answer.body)}`).to.be.oneOf([200, 204]);
      await sockets[1]?.waitFor(eventFrame(event));
      await warren.chat.logs.waitFor(requestLine(requestId), { what: `chat-api's log of ${requestId}` });
      const decoded = await warren.gateway.logs.waitFor(decodedWith(requestId), { what: `the decoding of ${event}` });
      expect(decoded).to.include({ exchange: names.sessionExchange(session), kind: 'event' });
      const acked = await warren.persister.logs.waitFor(ackedWith(requestId), { what: `the persister's ${event}` });
      expect(acked).to.include({ event, sessionId: session });
    }
  });

  it('logs the request id of a message a bot published with its dead letter, cut to its bound', async () => {
    const [alice] = await registerEach(warren, 'alice');
    const session = await warren.createSession(alice);
    const requestId = `bot-${'x'.repeat(4 * MAX_REQUEST_ID_LENGTH)}`;
    const messageId = randomUUID();
    const connection = await amqp.connect(warren.urls.bot);
    try {
      const channel = await connection.createConfirmChannel();
      // Empty content breaks the content rule: the persister dead-letters it.
      channel.publish(names.sessionExchange(session), '', Buffer.from(JSON.stringify({ content: ' ' })), {
        messageId,
        contentType: 'application/json',
        headers: { 'x-warren-request-id': requestId },
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    const letter = await warren.persister.logs.waitFor(
      (line) => line.msg === 'dead-lettered a message' && line.exchange === names.sessionExchange(session),
      { what: `the dead letter of ${messageId}` },
    );
    expect(letter.requestId).to.equal(requestId.slice(0, MAX_REQUEST_ID_LENGTH));
  });
});
