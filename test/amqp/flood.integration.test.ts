import { names, queues } from '@warren/shared/amqp';
import { envelopeHeaders, newMessageId } from '@warren/shared/envelope';
import { eventually, testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { useWarren } from '../support/warren.ts';
import { takeDeadLetters } from './support/dead-letters.ts';

/** Ways a producer's message breaks the envelope rules, with the code the persister files it under. */
const BROKEN = [
  { code: 'content_empty', body: '   ', contentType: 'text/plain' },
  { code: 'invalid_json', body: '{"content": ', contentType: 'application/json' },
  { code: 'content_too_long', body: 'x'.repeat(4001), contentType: 'text/plain' },
  { code: 'extra_not_object', body: '{"content":"hi","extra":[1]}', contentType: 'application/json' },
] as const;

describe("a producer's flood of bad messages does not hold up the good ones", () => {
  const warren = useWarren();

  it('the persister stores every good message, dead-letters every bad one with why, and drains its queue', async () => {
    const owner = await warren.register('owner');
    const sessionId = await warren.createSession(owner);
    const bot = testConfig().users.bot;
    const good: string[] = [];
    const bad = new Map<string, string>();
    const connection = await amqp.connect(bot.url);
    try {
      const channel = await connection.createConfirmChannel();
      for (let i = 0; i < 300; i += 1) {
        const id = newMessageId();
        const broken = i % 3 === 0 ? BROKEN[(i / 3) % BROKEN.length] : undefined;
        if (broken) bad.set(id, broken.code);
        else good.push(id);
        channel.publish(names.sessionExchange(sessionId), '', Buffer.from(broken?.body ?? `message ${i}`), {
          messageId: id,
          userId: bot.name,
          contentType: broken?.contentType ?? 'text/plain',
          persistent: true,
        });
      }
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }

    for (const id of good) await warren.stored({ id });
    for (const [id, code] of bad) expect((await warren.deadLettered(id)).reason, id).to.equal(code);

    const admin = await amqp.connect(warren.urls.admin);
    try {
      const channel = await admin.createChannel();
      await eventually(async () => (await channel.checkQueue(queues.persister.name)).messageCount === 0);
    } finally {
      await admin.close();
    }
    const letters = await takeDeadLetters(warren.urls.admin, sessionId);
    expect(letters.map((letter) => letter.properties.messageId).sort()).to.deep.equal([...bad.keys()].sort());
    for (const letter of letters) {
      const code = bad.get(letter.properties.messageId);
      expect(String(letter.properties.headers?.[envelopeHeaders.error])).to.match(new RegExp(`^${code}: `));
      expect(letter.properties.headers?.[envelopeHeaders.originalUserId]).to.equal(bot.name);
    }
  });
});
