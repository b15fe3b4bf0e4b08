import { names } from '@warren/shared/amqp';
import { envelopeHeaders, newMessageId } from '@warren/shared/envelope';
import { testConfig } from '@warren/shared/testing';
import amqp, { type Options } from 'amqplib';
import { expect } from 'chai';
import { takeDeadLetters } from '../amqp/support/dead-letters.ts';
import { useSockets } from '../support/socket-client.ts';
import { registerEach, useWarren } from '../support/warren.ts';

/** A message the bot publishes, hostile or not. */
interface Publish {
  readonly id: string;
  readonly body: string;
  readonly options?: Options.Publish;
}

/** JSON whose `extra` nests `depth` objects: a few kilobytes, inside every size limit. */
const deepExtra = (depth: number): string =>
  `{"content":"deep","extra":${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}}`;

/**
 * AMQP.md: "No message, however malformed, harms any delivery but its own." Hostile deliveries a
 * producer can publish (an `extra` nested thousands deep, a `timestamp` outside 2000 to 9999,
 * content only of zero-width characters, a message id stored for another session) go out among good
 * ones, through the real services: every socket of every session stays open (no 1011), every good
 * message reaches every member and is stored, and each hostile one is dead-lettered with its reason
 * in `x-warren-error` and never delivered (but the id collision, which the gateway cannot know).
 */
describe('hostile deliveries among good ones (security)', function () {
  this.timeout(60_000);
  const warren = useWarren();
  const connect = useSockets(() => warren.gatewayUrl);
  /** Close codes the gateway decided on, as it logs them. */
  const closings = () =>
    warren.gateway.logs.all.filter((line) => line.msg === 'closing the connection').map((line) => line.code);

  it('keeps every socket open and every good message flowing; the hostile ones are dead-lettered with why', async () => {
    const [alice, bob, carol] = await registerEach(warren, 'alice', 'bob', 'carol');
    const session = await warren.createSession(alice, [bob]);
    const bystanders = await warren.createSession(alice, [carol]);
    const members = [await connect(alice), await connect(alice), await connect(bob)];
    const carolSocket = await connect(carol);

    // A message of the other session, whose id a producer then reuses in this one.
    const taken = await warren.api(alice, 'POST', `/api/sessions/${bystanders}/messages`, { content: 'mine' });
    expect(taken.status).to.equal(202);
    const takenId: string = taken.body.message.id;
    await warren.stored({ id: takenId });

    const json = { contentType: 'application/json' };
    const year9999 = Date.UTC(9999, 5, 1) / 1000;
    const hostile: (Publish & { readonly code: string })[] = [
      { id: newMessageId(), body: deepExtra(1400), options: json, code: 'extra_too_deep' },
      { id: newMessageId(), body: deepExtra(10_000), options: json, code: 'extra_too_deep' },
      {
        id: newMessageId(),
        body: 'after 9999',
        options: { timestamp: year9999 + 366 * 86_400 },
        code: 'invalid_timestamp',
      },
      { id: newMessageId(), body: 'before 2000', options: { timestamp: 1 }, code: 'invalid_timestamp' },
      { id: newMessageId(), body: '\u200b\u200c\u200d\u2060\ufeff', code: 'content_invisible' },
    ];
    const collision: Publish = { id: takenId, body: 'reused id' };
    // A valid time far ahead: shown and stored, but it must not pin the session above newer activity.
    const future: Publish = { id: newMessageId(), body: 'dated 9999', options: { timestamp: year9999 } };
    const good: Publish[] = [];
    const sequence: Publish[] = [];
    for (const each of [...hostile, collision]) {
      const next = { id: newMessageId(), body: `good after ${each.id}` };
      sequence.push(each, next);
      good.push(next);
    }
    sequence.push(future);
    good.push(future);

    const bot = testConfig().users.bot;
    const connection = await amqp.connect(warren.urls.bot);
    try {
      const channel = await connection.createConfirmChannel();
      for (const each of sequence) {
        channel.publish(names.sessionExchange(session), '', Buffer.from(each.body), {
          ...each.options,
          messageId: each.id,
          userId: bot.name,
          persistent: true,
        });
      }
      // Published after all of them, on the same channel: Carol's session flows too.
      channel.publish(names.sessionExchange(bystanders), '', Buffer.from('meanwhile elsewhere'), {
        messageId: newMessageId(),
        userId: bot.name,
        persistent: true,
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }

    // Every member's socket gets every good message; the last one proves nothing hostile came before it.
    for (const socket of members) {
      for (const each of good) expect((await socket.message(each.id)).message.content).to.equal(each.body);
      for (const each of hostile) expect(socket.hasMessage(each.id), each.code).to.equal(false);
    }
    await carolSocket.waitFor((frame) => frame.type === 'message' && frame.message.content === 'meanwhile elsewhere');

    for (const each of good) expect((await warren.stored({ id: each.id })).content).to.equal(each.body);
    for (const each of hostile) expect((await warren.deadLettered(each.id)).reason, each.code).to.equal(each.code);
    const collided = await warren.deadLettered(takenId);
    expect(collided.reason).to.equal('id_collision');
    expect(collided.exchange).to.equal(names.sessionExchange(session));
    const stored = await warren.stored({ id: takenId });
    expect([stored.session_id, stored.content]).to.deep.equal([bystanders, 'mine']);

    const letters = await takeDeadLetters(warren.urls.admin, session);
    const reasons = new Map(
      letters.map((letter) => [letter.properties.messageId, letter.properties.headers?.[envelopeHeaders.error]]),
    );
    for (const each of hostile) expect(String(reasons.get(each.id))).to.match(new RegExp(`^${each.code}: `));
    expect(String(reasons.get(takenId))).to.match(/^id_collision: /);

    const listed = await warren.api(alice, 'GET', '/api/sessions');
    const shown = listed.body.sessions.find((each: { id: string }) => each.id === session);
    expect(Date.parse(shown.bumped_at), 'bumped_at pinned in the future').to.be.at.most(Date.now());

    // Still open and still subscribed: a message posted now reaches everyone, and nobody was closed.
    const after = await warren.api(alice, 'POST', `/api/sessions/${session}/messages`, { content: 'still here' });
    expect(after.status).to.equal(202);
    await Promise.all(members.map((socket) => socket.message(after.body.message.id)));
    expect(closings()).to.deep.equal([]);
  });
});
