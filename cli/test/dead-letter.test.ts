import { envelopeHeaders, messageIdOf } from '@warren/shared/envelope';
import { amqpMessage } from '@warren/shared/testing';
import type { Message } from 'amqplib';
import { expect } from 'chai';
import { describeDeadLetter, republishOf } from '../src/index.ts';

const SESSION = '0194f7d0-3c1e-7a4b-9d2e-5f6a7b8c9d0e';
const EXCHANGE = `warren.session.${SESSION}`;
const ID = '0194f7d0-3c1f-7000-8000-000000000001';

/** A letter as amqplib hands it over from warren.dead-letter. */
function letter(properties: Partial<Message['properties']>, content = 'hello'): Message {
  return amqpMessage(content, { deliveryMode: 2, ...properties }, { exchange: 'warren.dead' });
}

/** The persister's letter of a bot's message. */
const persisterLetter = letter(
  {
    messageId: ID,
    contentType: 'application/json',
    timestamp: 1_700_000_000,
    headers: {
      'x-custom': 'kept',
      [envelopeHeaders.error]: 'unknown_session: no such session',
      [envelopeHeaders.originalExchange]: EXCHANGE,
      [envelopeHeaders.originalUserId]: 'build-bot',
    },
  },
  '{"content":"build 12 passed\\nall green"}',
);

describe('describeDeadLetter', () => {
  it("reads the persister's headers and previews the content on one line", () => {
    expect(describeDeadLetter(persisterLetter)).to.deep.equal({
      messageId: ID,
      error: 'unknown_session: no such session',
      originalExchange: EXCHANGE,
      sessionId: SESSION,
      originalUserId: 'build-bot',
      preview: 'build 12 passed all green',
    });
  });

  it('previews a letter nested thousands of levels deep by its content, without overflowing', () => {
    const deep = `{"content":"deep one","extra":${'{"a":'.repeat(10_000)}{}${'}'.repeat(10_000)}}`;
    const view = describeDeadLetter(
      letter({ contentType: 'application/json', headers: { [envelopeHeaders.error]: 'extra_too_deep: …' } }, deep),
    );
    expect(view).to.deep.include({ error: 'extra_too_deep: …', preview: 'deep one' });
    const deepContent = `{"content":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const raw = describeDeadLetter(letter({ contentType: 'application/json' }, deepContent));
    // Not a content string: the text as it is, cut to one line.
    expect(raw.preview).to.equal(`${deepContent.slice(0, 79)}…`);
  });

  it("reads RabbitMQ's own letters (delivery limit), whose user_id is still a property", () => {
    const view = describeDeadLetter(
      letter({
        userId: 'build-bot',
        headers: {
          'x-first-death-exchange': EXCHANGE,
          'x-first-death-reason': 'delivery_limit',
          'x-first-death-queue': 'warren.persister',
        },
      }),
    );
    expect(view).to.deep.include({
      error: 'delivery_limit (dead-lettered by RabbitMQ)',
      originalExchange: EXCHANGE,
      sessionId: SESSION,
      originalUserId: 'build-bot',
      messageId: null,
    });
  });
});

describe('republishOf', () => {
  it('puts a letter back on its session exchange with its user_id and without dead-letter headers', () => {
    expect(republishOf(persisterLetter)).to.deep.equal({
      exchange: EXCHANGE,
      content: persisterLetter.content,
      options: {
        contentType: 'application/json',
        timestamp: 1_700_000_000,
        messageId: ID,
        deliveryMode: 2,
        headers: { 'x-custom': 'kept' },
        userId: 'build-bot',
      },
    });
  });

  it('gives a RabbitMQ letter without message_id the id consumers derived for the original', () => {
    const original = letter({ userId: 'build-bot', timestamp: 1_700_000_000 }, 'plain text');
    const dead = letter(
      {
        ...original.properties,
        headers: {
          // amqplib's typings know no `delivery_limit`, which RabbitMQ writes for a quorum queue's limit.
          'x-death': [
            {
              count: 5,
              reason: 'delivery_limit',
              queue: 'warren.persister',
              time: { '!': 'timestamp', value: 1_700_000_100 },
              exchange: EXCHANGE,
              'routing-keys': [''],
            },
          ],
          'x-first-death-exchange': EXCHANGE,
          'x-delivery-count': 5,
        } as unknown as Message['properties']['headers'],
      },
      'plain text',
    );
    const plan = republishOf(dead);
    expect(plan).to.have.property('exchange', EXCHANGE);
    if (!('options' in plan)) throw new Error('no plan');
    expect(plan.options.messageId).to.equal(
      messageIdOf({ fields: { exchange: EXCHANGE }, properties: original.properties, content: original.content }),
    );
    expect(plan.options.headers).to.deep.equal({});
  });

  it('republishes a system message without user_id', () => {
    const plan = republishOf(letter({ messageId: ID, headers: { [envelopeHeaders.originalExchange]: EXCHANGE } }));
    expect(plan).to.have.property('options').that.does.not.have.property('userId');
  });

  it('never sends a letter anywhere but a session exchange', () => {
    expect(republishOf(letter({ headers: { [envelopeHeaders.originalExchange]: 'warren.events' } }))).to.deep.equal({
      problem: "'warren.events' is not a session exchange",
    });
    expect(republishOf(letter({ headers: {} }))).to.deep.equal({
      problem: 'the letter does not say which exchange it came from',
    });
  });
});
