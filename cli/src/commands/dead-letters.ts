import { queues } from '@warren/shared/amqp';
import type { GetMessage } from 'amqplib';
import { Command } from 'commander';
import { ConfirmedPublisher, connectBroker, publishFailure } from '../broker.ts';
import { loadConfig } from '../config.ts';
import { type DeadLetterView, describeDeadLetter, republishOf } from '../dead-letter.ts';
import { CliErrors, explainBrokerError } from '../errors.ts';
import { cliLogger } from '../logger.ts';
import { URL_HELP, uuidOption } from '../options.ts';

interface DeadLettersOptions {
  requeue?: boolean;
  session?: string;
  id?: string;
  json?: boolean;
  url?: string;
}

/** What became of one letter under `--requeue`. */
interface Outcome {
  readonly messageId: string | null;
  readonly requeued: boolean;
  readonly exchange: string | null;
  /** Why it stayed in the queue. */
  readonly reason?: string;
}

const QUEUE = queues.deadLetter.name;

const authorOf = (view: DeadLetterView): string =>
  view.originalUserId === null ? 'unattributed (no user_id)' : `bot/service ${view.originalUserId}`;

/** `warren dead-letters`: shows `warren.dead-letter`, and with `--requeue` puts letters back once a fix is in. */
export function deadLettersCommand(): Command {
  return new Command('dead-letters')
    .summary('show what was dead-lettered and why; --requeue republishes it after a fix')
    .description(
      `Lists the letters in ${QUEUE} (the persister's, with x-warren-error saying why, and RabbitMQ's own ` +
        "after the persister queue's delivery limit), leaving them there. With --requeue, republishes each " +
        'selected letter to the session exchange it was first published to, with its body, properties and ' +
        'user_id, and removes it from the queue only once the broker has confirmed the republish; a letter ' +
        "that cannot be republished stays. Restoring a user_id other than the connection's own needs the " +
        'impersonator tag. Reads the queue, so it needs an operator user.',
    )
    .option('--requeue', 'republish each selected letter to its original exchange, then remove it')
    .option('--session <id>', 'only the letters of this session', uuidOption)
    .option('--id <message-id>', 'only the letter with this message_id')
    .option('--json', 'print JSON instead of lines')
    .option('--url <amqp-url>', URL_HELP)
    .action(async (options: DeadLettersOptions, command: Command) => {
      const config = loadConfig(['RABBITMQ_URL'], process.env, { url: options.url });
      const broker = await connectBroker(config.RABBITMQ_URL, 'dead-letters', cliLogger(command));
      const readRefused = (error: unknown) =>
        explainBrokerError(error, {
          user: broker.user,
          vhost: broker.vhost,
          doing: `read ${QUEUE}`,
          permission: 'read',
          hints: { permission: 'Dead letters are for operators: use the admin user.' },
        });
      const channel = await broker.amqp.createChannel();
      // A refused operation rejects with why; the channel's error event repeats it.
      channel.on('error', () => undefined);
      const publisher = new ConfirmedPublisher(broker.amqp);
      try {
        let count: number;
        try {
          count = (await channel.checkQueue(QUEUE)).messageCount;
        } catch (error) {
          throw readRefused(error);
        }
        // Every letter taken stays unacknowledged until the end, so the scan sees each once and
        // stops at what was there when it began: letters dead-lettered again meanwhile wait.
        const selected: GetMessage[] = [];
        for (let taken = 0; taken < count; taken += 1) {
          let message: GetMessage | false;
          try {
            message = await channel.get(QUEUE, { noAck: false });
          } catch (error) {
            throw readRefused(error);
          }
          if (message === false) break;
          const view = describeDeadLetter(message);
          if (options.session !== undefined && view.sessionId !== options.session) continue;
          if (options.id !== undefined && view.messageId !== options.id) continue;
          selected.push(message);
        }

        if (!options.requeue) {
          const views = selected.map(describeDeadLetter);
          if (options.json) {
            console.log(JSON.stringify(views, null, 2));
            return;
          }
          console.log(`${views.length} dead letter${views.length === 1 ? '' : 's'} in ${QUEUE} (of ${count})`);
          for (const view of views) {
            console.log(
              `${view.messageId ?? '(no message_id)'}  ${view.sessionId ?? view.originalExchange ?? '?'}  ${authorOf(view)}`,
            );
            console.log(`    why: ${view.error}`);
            console.log(`    content: ${view.preview}`);
          }
          return;
        }

        const outcomes: Outcome[] = [];
        for (const message of selected) {
          const view = describeDeadLetter(message);
          const plan = republishOf(message);
          if ('problem' in plan) {
            outcomes.push({ messageId: view.messageId, requeued: false, exchange: null, reason: plan.problem });
            continue;
          }
          try {
            await publisher.publish(plan.exchange, plan.content, plan.options);
          } catch (error) {
            const why = publishFailure(error, (refusal) =>
              explainBrokerError(refusal, {
                user: broker.user,
                vhost: broker.vhost,
                doing: `republish to ${plan.exchange}`,
                permission: 'write',
                hints: {
                  userId: `It was published by '${view.originalUserId}': requeue it as that user, or as a user tagged impersonator, which may publish with any user_id.`,
                },
              }),
            );
            outcomes.push({ messageId: view.messageId, requeued: false, exchange: plan.exchange, reason: why.message });
            continue;
          }
          channel.ack(message);
          outcomes.push({ messageId: view.messageId, requeued: true, exchange: plan.exchange });
        }
        if (options.json) console.log(JSON.stringify(outcomes, null, 2));
        else {
          for (const outcome of outcomes) {
            console.log(
              outcome.requeued
                ? `requeued ${outcome.messageId} to ${outcome.exchange}`
                : `kept ${outcome.messageId ?? '(no message_id)'}: ${outcome.reason}`,
            );
          }
        }
        const kept = outcomes.filter((outcome) => !outcome.requeued).length;
        if (kept > 0)
          throw new CliErrors.requeueIncomplete(
            `${kept} of ${outcomes.length} dead letters could not be requeued; they stay in ${QUEUE}.`,
          );
        if (!options.json) console.log(`${outcomes.length} requeued`);
      } finally {
        // Letters not acknowledged (not selected, listed, or kept) go back to the queue, in order.
        try {
          channel.nackAll(true);
        } catch {
          // The channel is gone, and with it every unacknowledged letter went back already.
        }
        await channel.close().catch(() => undefined);
        await publisher.close();
        await broker.amqp.close();
      }
    });
}
