import { type Attachment, names } from '@warren/shared/amqp';
import { decodeDelivery } from '@warren/shared/envelope';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { Command } from 'commander';
import { connectBroker } from '../broker.ts';
import { loadConfig } from '../config.ts';
import { type BrokerAction, type CliError, explainBrokerError } from '../errors.ts';
import { deliveryJson, deliveryLine } from '../format.ts';
import { cliLogger } from '../logger.ts';
import { positiveIntOption, URL_HELP, uuidOption } from '../options.ts';

/** Deliveries the tail's queue keeps for a slow terminal before dropping the oldest, so the broker's memory stays bounded. */
const TAIL_QUEUE_MAX_LENGTH = 10_000;
/** Unacknowledged deliveries in flight to the tail. */
const TAIL_PREFETCH = 100;

interface TailOptions {
  session: string;
  json?: boolean;
  count?: number;
  url?: string;
}

/** A step of setting up the tail's queue, with the permission RabbitMQ checks for it. */
type Step = Pick<BrokerAction, 'doing' | 'permission'>;

/** A failed step of {@link TailSubscription}, to be explained with what it was doing. */
class StepError extends Error {
  readonly step: Step;
  constructor(step: Step, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.step = step;
  }
}

/**
 * The tail's own queue: server-named, exclusive and auto-delete (gone with the connection), bound
 * to the session's exchange, consumed with a bounded prefetch. Made again on every reconnect, like
 * the services' consumers; should that fail (the session was deleted meanwhile) the tail ends
 * instead of reconnecting forever.
 */
class TailSubscription implements Attachment {
  readonly #exchange: string;
  readonly #onDelivery: (message: ConsumeMessage, channel: Channel) => void;
  readonly #onLost: (error: StepError) => void;
  #subscribed = false;

  constructor(
    exchange: string,
    onDelivery: (message: ConsumeMessage, channel: Channel) => void,
    onLost: (error: StepError) => void,
  ) {
    this.#exchange = exchange;
    this.#onDelivery = onDelivery;
    this.#onLost = onLost;
  }

  async attach(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    // A refused operation closes the channel and rejects with why; the event itself is noise.
    channel.on('error', () => undefined);
    const run = async <T>(step: Step, operation: () => Promise<T>): Promise<T> => {
      try {
        return await operation();
      } catch (error) {
        throw new StepError(step, error);
      }
    };
    try {
      const { queue } = await run({ doing: 'declare its own queue', permission: 'configure' }, () =>
        channel.assertQueue('', {
          exclusive: true,
          autoDelete: true,
          durable: false,
          arguments: { 'x-queue-version': 2, 'x-max-length': TAIL_QUEUE_MAX_LENGTH },
        }),
      );
      await run(
        { doing: `bind its queue to ${this.#exchange}`, permission: { queue: 'write', exchange: 'read' } },
        () => channel.bindQueue(queue, this.#exchange, ''),
      );
      await channel.prefetch(TAIL_PREFETCH, false);
      await run({ doing: 'consume its own queue', permission: 'read' }, () =>
        channel.consume(queue, (message) => {
          if (message) this.#onDelivery(message, channel);
        }),
      );
    } catch (error) {
      await channel.close().catch(() => undefined);
      if (!this.#subscribed || !(error instanceof StepError)) throw error;
      this.#onLost(error);
      return;
    }
    this.#subscribed = true;
  }

  detach(): void {
    // The exclusive queue went with the connection; attach makes a new one.
  }
}

/** `warren tail`: prints a session's live traffic, decoded by the shared envelope rules. */
export function tailCommand(): Command {
  return new Command('tail')
    .summary("print a session's live traffic, decoded as every consumer decodes it")
    .description(
      "Binds a queue of its own (exclusive, deleted with its connection) to the session's exchange and " +
        'prints every message and event published there from then on, decoded by the shared envelope rules: ' +
        'author (user, bot or system), content and the message it replies to (↳ reply to <id>), edits ' +
        '(✎ edited <id>: <text>), deletes (✗ message <id> deleted), reactions (+👍 alice on <id>, −👍 when ' +
        'taken back), other events with their data, or why the persister dead-letters it. Needs an operator ' +
        "user (configure and read on its queue, read on the session's exchange): producers cannot read. " +
        'Ends on Ctrl-C, after --count deliveries, or when the session is deleted.',
    )
    .requiredOption('--session <id>', 'the session (a UUID) whose exchange warren.session.<id> to tail', uuidOption)
    .option('--json', 'one JSON object per delivery, shaped like the ws-gateway frames')
    .option('--count <n>', 'exit after n deliveries', positiveIntOption)
    .option('--url <amqp-url>', URL_HELP)
    .action(async (options: TailOptions, command: Command) => {
      const config = loadConfig(['RABBITMQ_URL', 'TRUSTED_PUBLISHERS'], process.env, { url: options.url });
      const broker = await connectBroker(config.RABBITMQ_URL, 'tail', cliLogger(command));
      const exchange = names.sessionExchange(options.session);
      const explain = (error: StepError) =>
        explainBrokerError(error.cause, {
          user: broker.user,
          vhost: broker.vhost,
          ...error.step,
          hints: { permission: 'Tail as an operator user (the deployment has admin).' },
        });

      let over = false;
      let settle: (error?: CliError) => void = () => undefined;
      const ended = new Promise<void>((resolve, reject) => {
        settle = (error) => (error ? reject(error) : resolve());
      });
      const finish = (error?: CliError) => {
        over = true;
        settle(error);
      };
      let seen = 0;
      const subscription = new TailSubscription(
        exchange,
        (message, channel) => {
          // Deliveries still in flight when the tail decided to end are not shown (nor acknowledged).
          if (over) return;
          const receivedAt = new Date();
          const result = decodeDelivery(message, { trustedPublishers: config.TRUSTED_PUBLISHERS, receivedAt });
          const messageId = typeof message.properties.messageId === 'string' ? message.properties.messageId : undefined;
          console.log(
            options.json
              ? JSON.stringify(deliveryJson(result, options.session, messageId))
              : deliveryLine(result, receivedAt, messageId),
          );
          channel.ack(message);
          seen += 1;
          if (options.count !== undefined && seen >= options.count) finish();
          else if (result.ok && result.kind === 'event' && result.event === 'session.deleted') {
            console.error(`session ${options.session} was deleted`);
            finish();
          }
        },
        (error) => finish(explain(error)),
      );

      const stop = () => finish();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      broker.amqp.on('disconnected', () => {
        if (!over) console.error('lost the broker connection, reconnecting (what is published meanwhile is not shown)');
      });
      // Only reconnects: the first connection was made before this listener.
      broker.amqp.on('connected', () => {
        if (!over) console.error(`reconnected, tailing ${exchange} again`);
      });
      try {
        try {
          await broker.amqp.attach(subscription);
        } catch (error) {
          throw explain(
            error instanceof StepError
              ? error
              : new StepError({ doing: 'open a channel', permission: { queue: 'configure' } }, error),
          );
        }
        console.error(`tailing ${exchange} as ${broker.user} in vhost ${broker.vhost} (Ctrl-C to stop)`);
        await ended;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await broker.amqp.close();
      }
    });
}
