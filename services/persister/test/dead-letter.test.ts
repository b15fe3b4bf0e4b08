import { randomUUID } from 'node:crypto';
import { names } from '@warren/shared/amqp';
import { envelopeHeaders, messageIdOf } from '@warren/shared/envelope';
import { amqpMessage } from '@warren/shared/testing';
import type { Message } from 'amqplib';
import { expect } from 'chai';
import { deadLetterOf } from '../src/dead-letter.ts';

/** A delivery to a session's exchange as amqplib hands it over. */
function delivery(properties: Partial<Message['properties']>, content = 'hello'): Message {
  return amqpMessage(content, properties, { exchange: names.sessionExchange(randomUUID()) });
}

describe('deadLetterOf', () => {
  it('keeps the body and properties and adds the error and the original exchange', () => {
    const message = delivery(
      {
        contentType: 'application/json',
        messageId: randomUUID(),
        timestamp: 1_700_000_000,
        type: 'message',
        appId: 'cli',
        correlationId: 'c-1',
        headers: { 'x-custom': 'kept' },
        deliveryMode: 2,
      },
      '{"content":""}',
    );
    const letter = deadLetterOf(message, 'content_empty: content is empty after trimming');
    expect(letter.content).to.equal(message.content);
    expect(letter.options).to.deep.equal({
      contentType: 'application/json',
      messageId: message.properties.messageId,
      timestamp: 1_700_000_000,
      type: 'message',
      appId: 'cli',
      correlationId: 'c-1',
      deliveryMode: 2,
      headers: {
        'x-custom': 'kept',
        [envelopeHeaders.error]: 'content_empty: content is empty after trimming',
        [envelopeHeaders.originalExchange]: message.fields.exchange,
      },
    });
  });

  it('moves user_id into a header, since only its own user may publish with it', () => {
    const letter = deadLetterOf(delivery({ userId: 'bot', messageId: randomUUID() }), 'x: y');
    expect(letter.options).not.to.have.property('userId');
    expect(letter.options.headers).to.include({ [envelopeHeaders.originalUserId]: 'bot' });
  });

  it('drops the expiration and makes the letter persistent, so it waits for an operator', () => {
    const letter = deadLetterOf(delivery({ expiration: '1000', deliveryMode: 1, messageId: randomUUID() }), 'x: y');
    expect(letter.options).not.to.have.property('expiration');
    expect(letter.options.deliveryMode).to.equal(2);
  });

  it('gives a message without message_id the id every consumer derives for it', () => {
    const message = delivery({ userId: 'bot', timestamp: 1_700_000_000 });
    expect(deadLetterOf(message, 'x: y').options.messageId).to.equal(messageIdOf(message));
  });

  it('keeps a message_id that is not a UUID as it is', () => {
    expect(deadLetterOf(delivery({ messageId: 'not-a-uuid' }), 'x: y').options.messageId).to.equal('not-a-uuid');
  });

  it('copes with a message without headers', () => {
    const letter = deadLetterOf(delivery({ headers: undefined, messageId: randomUUID() }), 'x: y');
    expect(letter.options.headers).to.have.keys(envelopeHeaders.error, envelopeHeaders.originalExchange);
  });
});
