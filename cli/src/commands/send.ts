import { names } from '@warren/shared/amqp';
import { contentOf, EnvelopeError, newMessageId } from '@warren/shared/envelope';
import { Command } from 'commander';
import { ConfirmedPublisher, connectBroker, publishFailure } from '../broker.ts';
import { loadConfig } from '../config.ts';
import { CliErrors, explainBrokerError } from '../errors.ts';
import { cliLogger } from '../logger.ts';
import { replyToOption, URL_HELP, uuidOption } from '../options.ts';

interface SendOptions {
  session: string;
  as?: string;
  id?: string;
  replyTo?: string;
  url?: string;
}

/**
 * The body and content type of the message: plain text, the simplest a producer sends, or for a
 * reply the JSON body `{ content, reply_to }` (AMQP.md), since only a JSON body has fields.
 */
function bodyOf(text: string, replyTo: string | undefined): { content: Buffer; contentType: string } {
  if (replyTo === undefined) return { content: Buffer.from(text, 'utf8'), contentType: 'text/plain; charset=utf-8' };
  return {
    content: Buffer.from(JSON.stringify({ content: text, reply_to: replyTo }), 'utf8'),
    contentType: 'application/json',
  };
}

/** `warren send`: publishes one chat message with confirms and `mandatory`, as any producer may. */
export function sendCommand(): Command {
  return new Command('send')
    .summary("publish a chat message to a session's exchange, confirmed by the broker")
    .description(
      "Publishes <text> as a plain-text chat message to the session's exchange warren.session.<id>, with " +
        'publisher confirms and the mandatory flag, and exits 0 only once the broker has confirmed it. ' +
        'With --reply-to the body is JSON { content, reply_to }: a reply in the thread of that message, ' +
        'which must be a message of the same session (else the persister dead-letters it as unknown_reply_to). ' +
        'The credentials are those of the broker URL (RABBITMQ_URL or --url): that AMQP user must have ' +
        'write permission on session exchanges (a producer user: `warren users add-bot`).',
    )
    .requiredOption('--session <id>', 'the session (a UUID): the message goes to warren.session.<id>', uuidOption)
    .option(
      '--as <amqp-user>',
      "put this AMQP user in user_id, making the message the bot's; the broker accepts only the connection's own user (without --as: an unattributed message, shown as unverified)",
    )
    .option('--id <uuid>', 'message_id (default: a new UUIDv7); sending one id twice stores one message', uuidOption)
    .option(
      '--reply-to <message-id>',
      'reply to this message of the session (a UUID); a reply to a reply joins the thread of its root',
      replyToOption,
    )
    .option('--url <amqp-url>', URL_HELP)
    .argument('<text...>', 'the message; several words are joined with spaces')
    .action(async (words: string[], options: SendOptions, command: Command) => {
      const text = words.join(' ');
      try {
        // The persister would dead-letter what the envelope refuses: say so now instead.
        contentOf(text);
      } catch (error) {
        if (error instanceof EnvelopeError)
          throw new CliErrors.messageRefused(`the message would be refused: ${error.message}`);
        throw error;
      }
      const config = loadConfig(['RABBITMQ_URL'], process.env, { url: options.url });
      const broker = await connectBroker(config.RABBITMQ_URL, 'send', cliLogger(command));
      const exchange = names.sessionExchange(options.session);
      const messageId = options.id ?? newMessageId();
      const publisher = new ConfirmedPublisher(broker.amqp);
      try {
        const body = bodyOf(text, options.replyTo);
        await publisher.publish(exchange, body.content, {
          messageId,
          contentType: body.contentType,
          deliveryMode: 2,
          timestamp: Math.floor(Date.now() / 1000),
          ...(options.as === undefined ? {} : { userId: options.as }),
        });
      } catch (error) {
        throw publishFailure(error, (refusal) =>
          explainBrokerError(refusal, {
            user: broker.user,
            vhost: broker.vhost,
            doing: `publish to ${exchange}`,
            permission: 'write',
            hints: {
              permission: 'Producers may publish only to session exchanges (warren.session.<id>).',
              userId: `Connect as '${options.as}' (its credentials in RABBITMQ_URL or --url), or leave out --as.`,
            },
          }),
        );
      } finally {
        await publisher.close();
        await broker.amqp.close();
      }
      console.log(`sent ${messageId} to ${exchange}`);
    });
}
