import { names } from '@warren/shared/amqp';
import { newMessageId } from '@warren/shared/envelope';
import { testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { useWarren } from '../support/warren.ts';

/**
 * What test/amqp (identity, flood, user limits) does not already cover: oversized bodies, invalid
 * UTF-8, forged session events and unknown types from an untrusted producer, and content types that
 * are not JSON (taken as plain text, verbatim). Each bad one is dead-lettered with its reason and a
 * good message published after them is stored.
 */
describe('hostile AMQP producers (security)', function () {
  this.timeout(60_000);
  const warren = useWarren();

  it('dead-letters oversized, invalid UTF-8, forged-event and unknown-type messages with reasons; odd content types are text', async () => {
    const owner = await warren.register('owner');
    const sessionId = await warren.createSession(owner);
    const bot = testConfig().users.bot;
    const bad: Array<{ id: string; code: string; body: Buffer; type?: string; contentType: string }> = [
      {
        id: newMessageId(),
        code: 'body_too_large',
        body: Buffer.alloc(2 * 1024 * 1024, 0x61),
        contentType: 'text/plain',
      },
      {
        id: newMessageId(),
        code: 'invalid_utf8',
        body: Buffer.from([0x68, 0xc3, 0x28, 0xff]),
        contentType: 'text/plain',
      },
      {
        id: newMessageId(),
        code: 'untrusted_event',
        body: Buffer.from(JSON.stringify({ user: { id: owner.id } })),
        type: 'member.joined',
        contentType: 'application/json',
      },
      {
        id: newMessageId(),
        code: 'unknown_message_type',
        body: Buffer.from('hi'),
        type: 'admin.grant',
        contentType: 'text/plain',
      },
    ];
    const texts = [
      { id: newMessageId(), body: '<msg>&lt;hi&gt;</msg>', contentType: 'application/xml' },
      { id: newMessageId(), body: '{"content":"not parsed"}', contentType: 'text/html; charset=utf-8' },
    ];
    const good = newMessageId();
    const connection = await amqp.connect(bot.url);
    try {
      const channel = await connection.createConfirmChannel();
      const exchange = names.sessionExchange(sessionId);
      for (const each of bad) {
        channel.publish(exchange, '', each.body, {
          messageId: each.id,
          userId: bot.name,
          contentType: each.contentType,
          type: each.type,
          persistent: true,
        });
      }
      for (const each of texts) {
        channel.publish(exchange, '', Buffer.from(each.body), {
          messageId: each.id,
          userId: bot.name,
          contentType: each.contentType,
          persistent: true,
        });
      }
      channel.publish(exchange, '', Buffer.from('still flowing'), {
        messageId: good,
        userId: bot.name,
        persistent: true,
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    for (const each of bad) expect((await warren.deadLettered(each.id)).reason, each.code).to.equal(each.code);
    for (const each of texts) expect((await warren.stored({ id: each.id })).content).to.equal(each.body);
    expect((await warren.stored({ id: good })).content).to.equal('still flowing');
  });
});
