import { expect } from 'chai';
import { AmqpClient } from '../../src/amqp/index.ts';
import { WarrenError } from '../../src/errors.ts';
import { createLogger } from '../../src/logging/index.ts';
import { rejectionOf } from '../../src/testing/index.ts';

const logger = createLogger({ service: 'test', level: 'silent' });

describe('AmqpClient (not started)', () => {
  it('names the AMQP user of its URL, guest when there is none', () => {
    const client = (url: string) => new AmqpClient({ url, connectionName: 'test', logger });
    expect(client('amqp://chat-api:secret@broker:5672/warren').user).to.equal('chat-api');
    expect(client('amqp://warren-test-x%40y:secret@broker/warren').user).to.equal('warren-test-x@y');
    expect(client('amqp://broker/warren').user).to.equal('guest');
  });

  it('is not connected and refuses channels with BROKER_UNAVAILABLE', async () => {
    const client = new AmqpClient({ url: 'amqp://127.0.0.1/', connectionName: 'test', logger });
    expect(client.connected).to.equal(false);
    for (const open of [() => client.createChannel(), () => client.createConfirmChannel()]) {
      const error = await rejectionOf(open());
      expect(error).to.be.instanceOf(WarrenError).and.include({ code: 'BROKER_UNAVAILABLE', status: 503 });
    }
  });
});
