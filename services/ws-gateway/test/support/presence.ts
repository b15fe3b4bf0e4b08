import { eventKeys, exchanges } from '@warren/shared/amqp';
import type { PresenceReport } from '@warren/shared/contract';
import { AmqpTap, bodyOf } from '@warren/shared/testing';
import type { ConsumeMessage } from 'amqplib';

/** A presence report as it arrived: its body and the delivery that carried it. */
export interface HeardReport {
  readonly report: PresenceReport;
  readonly message: ConsumeMessage;
}

/**
 * Every gateway's presence reports (`presence.*` on `warren.events`), as chat-api would hear them,
 * on a queue of the test's own, for the enclosing `describe` (opened in `before`, closed in `after`).
 */
export function usePresenceTap(): PresenceTap {
  const tap = new PresenceTap();
  before(() => tap.open());
  after(() => tap.close());
  return tap;
}

/** The presence reports heard, by instance. */
export class PresenceTap {
  #tap: AmqpTap | undefined;

  async open(): Promise<void> {
    this.#tap = await AmqpTap.open(exchanges.events.name, { routingKey: eventKeys.presenceAll });
  }

  get #recorder(): AmqpTap {
    if (this.#tap === undefined) throw new Error('the presence tap opens in a before hook');
    return this.#tap;
  }

  /** The reports of `instance` heard so far (of one kind), oldest first. */
  reports(instance: string, kind?: PresenceReport['kind']): HeardReport[] {
    return this.#recorder.all
      .map((message) => ({ report: bodyOf(message) as PresenceReport, message }))
      .filter(({ report }) => report.instance === instance && (kind === undefined || report.kind === kind));
  }

  /** The first report of `instance` heard after the `after` first ones that matches, now or once it arrives. */
  async next(instance: string, match: (report: PresenceReport) => boolean, after = 0): Promise<HeardReport> {
    let found: HeardReport | undefined;
    await this.#recorder.until(
      () => {
        found = this.reports(instance)
          .slice(after)
          .find(({ report }) => match(report));
        return found !== undefined;
      },
      { what: `a presence report of ${instance}` },
    );
    return found as HeardReport;
  }

  /** Waits until everything routed to the tap so far has arrived. */
  async settle(): Promise<void> {
    await this.#recorder.settle();
  }

  async close(): Promise<void> {
    await this.#tap?.close();
  }
}
