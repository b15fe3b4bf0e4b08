import { AmqpClient, type PublishOptions } from '@warren/shared/amqp';
import type { Logger } from '@warren/shared/logging';
import type { ConfirmChannel, Message } from 'amqplib';
import { userOf, vhostOf } from './config.ts';
import { type CliError, CliErrors, explainConnectError } from './errors.ts';

/** How long a publish waits for the broker's confirm: past it the command fails rather than hang. */
export const CONFIRM_TIMEOUT_MS = 10_000;

/** A connected broker for one command, with the names its error messages need. */
export interface Broker {
  readonly amqp: AmqpClient;
  /** The AMQP user the connection is authenticated as. */
  readonly user: string;
  readonly vhost: string;
}

/**
 * Connects to the broker for one command, naming the connection `warren-cli <command>` so operators
 * can tell it apart in the management UI. The shared client gives the same fail-fast first
 * connection as the services, and recovers the connection should it drop later (what `tail` wants).
 * @throws CliError saying why the broker could not be reached or refused the login.
 */
export async function connectBroker(url: string, command: string, logger: Logger): Promise<Broker> {
  const amqp = new AmqpClient({ url, connectionName: `warren-cli ${command}`, logger, initialRetries: 1 });
  const user = userOf(url);
  const vhost = vhostOf(url);
  try {
    await amqp.start();
  } catch (error) {
    throw explainConnectError(error, user, vhost);
  }
  return { amqp, user, vhost };
}

/** Why a publish failed: the broker's own error (a refusal closes the channel) or one of the CLI's. */
export class PublishError extends Error {
  /** The broker's channel error, with its reply code and text, when the broker refused. */
  readonly refusal: Error | undefined;

  constructor(message: string, refusal?: Error) {
    super(message, refusal === undefined ? undefined : { cause: refusal });
    this.name = 'PublishError';
    this.refusal = refusal;
  }
}

/**
 * Publishes with publisher confirms and `mandatory`, as the services' shared `Publisher` does, but
 * keeps the broker's reason when it refuses (the shared one reports every failure as 503 alike),
 * because the CLI's job is to tell a person which permission or which `user_id` was refused. A
 * refusal closes the channel; the next publish opens a new one.
 */
export class ConfirmedPublisher {
  readonly #amqp: AmqpClient;
  readonly #timeoutMs: number;
  #channel: ConfirmChannel | null = null;
  /** The error that closed the current channel, once the broker closed it. */
  #closedBy: Error | undefined;
  /** Ids the broker returned as unroutable; a return always comes before its message's confirm. */
  readonly #returned = new Set<string>();

  constructor(amqp: AmqpClient, timeoutMs = CONFIRM_TIMEOUT_MS) {
    this.#amqp = amqp;
    this.#timeoutMs = timeoutMs;
  }

  async #open(): Promise<ConfirmChannel> {
    if (this.#channel) return this.#channel;
    const channel = await this.#amqp.createConfirmChannel();
    this.#closedBy = undefined;
    channel.on('error', (error: Error) => {
      this.#closedBy = error;
    });
    channel.on('close', () => {
      if (this.#channel === channel) this.#channel = null;
    });
    channel.on('return', (message: Message) => {
      const id = message.properties.messageId as string | undefined;
      if (id) this.#returned.add(id);
    });
    this.#channel = channel;
    return channel;
  }

  /**
   * Publishes one message and resolves once the broker confirmed it and routed it somewhere.
   * @throws PublishError when the broker refused it (with `refusal`), returned it as unroutable,
   * nacked it, or did not confirm it within the timeout.
   */
  async publish(exchange: string, content: Buffer, options: PublishOptions): Promise<void> {
    const channel = await this.#open();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new PublishError(`the broker did not confirm the message within ${this.#timeoutMs / 1000} s`));
      }, this.#timeoutMs);
      const settle = (error: unknown) => {
        clearTimeout(timer);
        const returned = this.#returned.delete(options.messageId);
        if (error) {
          const refusal = this.#closedBy;
          const why =
            error instanceof Error && error.message === 'message nacked'
              ? 'the broker nacked the message (it could not take it)'
              : 'the connection closed before the broker confirmed the message';
          reject(new PublishError(refusal ? refusal.message : why, refusal));
        } else if (returned) {
          reject(
            new PublishError(
              `the broker could not route the message: exchange '${exchange}' is bound to nothing (\`warren topology sync\` rebuilds a session's bindings)`,
            ),
          );
        } else {
          resolve();
        }
      };
      try {
        channel.publish(exchange, '', content, { ...options, mandatory: true }, settle);
      } catch (error) {
        settle(error);
      }
    });
  }

  /** Closes the channel (a missing one is fine). */
  async close(): Promise<void> {
    await this.#channel?.close().catch(() => undefined);
    this.#channel = null;
  }
}

/** Turns a failed publish into the CLI's sentence, using `explain` for the broker's refusals. */
export function publishFailure(error: unknown, explain: (refusal: Error) => CliError): CliError {
  if (error instanceof PublishError) {
    return error.refusal ? explain(error.refusal) : new CliErrors.brokerFailed(error.message, { cause: error });
  }
  return new CliErrors.brokerFailed(error instanceof Error ? error.message : String(error), { cause: error });
}
