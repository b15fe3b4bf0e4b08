import { type AmqpClient, Consumer, gatewayInstanceQueue } from '@warren/shared/amqp';
import { loginEndedSchema } from '@warren/shared/contract-schemas';
import type { Logger } from '@warren/shared/logging';
import type { EndedLogins } from './ended-logins.ts';
import type { Gateway } from './gateway.ts';
import type { GatewayMetrics } from './metrics.ts';

/** The body of `login.ended` (AMQP.md). */

/** Options of {@link followEndedLogins}. */
export interface LoginEndedListenerOptions {
  /** This gateway instance: its queue is `warren.ws-gateway.instance.<instanceId>`. */
  readonly instanceId: string;
  /** AUTH_AMQP_USER: only its events are believed. */
  readonly authUser: string;
  readonly endedLogins: Pick<EndedLogins, 'add'>;
  readonly gateway: Pick<Gateway, 'endLogin'>;
  readonly metrics: Pick<GatewayMetrics, 'loginEndedEvents'>;
  readonly logger: Logger;
  /**
   * The queue is consumed again after a reconnect (or a cancel by the broker): events published
   * while it was gone were missed, and auth's record has them.
   */
  readonly onRestarted: () => void;
}

/**
 * Consumes this instance's own queue (exclusive, bound to `login.ended` on `warren.events`,
 * declared again on every broker connection by the shared {@link Consumer}) and, for each event
 * auth published (the broker vouches for `user_id`), remembers the login as ended and closes its
 * sockets with 4001. An event from anyone else, or with a body that is not one, changes nothing
 * and is counted. Events published while the queue is gone are missed (its sockets are closed with
 * 1011 then, but may reconnect): `onRestarted` says when to read them from auth's record.
 * @returns how to stop consuming.
 */
export async function followEndedLogins(
  amqp: AmqpClient,
  options: LoginEndedListenerOptions,
): Promise<() => Promise<void>> {
  const { authUser, endedLogins, gateway, metrics } = options;
  const log = options.logger.child({ module: 'ended-logins' });
  const { consumer, stop } = await Consumer.start(amqp, {
    queue: gatewayInstanceQueue(options.instanceId),
    prefetch: 64,
    logger: options.logger,
    onMessage: (delivery) => {
      const { properties, content } = delivery.message;
      delivery.ack();
      if (properties.userId !== authUser) {
        metrics.loginEndedEvents.inc({ result: 'untrusted' });
        log.warn(
          { userId: properties.userId, messageId: properties.messageId },
          'login.ended from an untrusted publisher ignored',
        );
        return;
      }
      const parsed = loginEndedSchema.safeParse(safeJson(content));
      if (!parsed.success) {
        metrics.loginEndedEvents.inc({ result: 'invalid' });
        log.warn({ messageId: properties.messageId }, 'invalid login.ended ignored');
        return;
      }
      const { sid, user_id: userId } = parsed.data;
      endedLogins.add(sid);
      const closed = gateway.endLogin(sid);
      metrics.loginEndedEvents.inc({ result: 'applied' });
      log.info({ userId, sid, closed }, 'login ended: its sockets closed');
    },
  });
  // Its first start is over before Consumer.start resolves: from here on, each one is a restart.
  consumer.on('started', options.onRestarted);
  return stop;
}

function safeJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
}
