import { names, queues } from '@warren/shared/amqp';
import { envelopeHeaders } from '@warren/shared/envelope';
import amqp, { type GetMessage } from 'amqplib';

/**
 * Takes the letters of one session out of `warren.dead-letter` (acknowledged), leaving every other
 * letter there: tests share the run's queue.
 */
export async function takeDeadLetters(adminUrl: string, sessionId: string): Promise<GetMessage[]> {
  const connection = await amqp.connect(adminUrl);
  try {
    const channel = await connection.createChannel();
    const taken: GetMessage[] = [];
    const { messageCount } = await channel.checkQueue(queues.deadLetter.name);
    for (let i = 0; i < messageCount; i += 1) {
      const message = await channel.get(queues.deadLetter.name, { noAck: false });
      if (message === false) break;
      if (message.properties.headers?.[envelopeHeaders.originalExchange] === names.sessionExchange(sessionId)) {
        channel.ack(message);
        taken.push(message);
      }
    }
    channel.nackAll(true);
    await channel.close();
    return taken;
  } finally {
    await connection.close();
  }
}
