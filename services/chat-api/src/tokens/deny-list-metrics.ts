import type { Logger } from '@warren/shared/logging';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DenyList } from './deny-list.ts';

/** Warned at the first eviction and then every this many: a flood of logouts must not flood the log. */
const WARN_EVERY = 1000;

/**
 * Exposes the deny list's size (`warren_chat_api_deny_list_entries`) and evictions
 * (`warren_chat_api_deny_list_evictions_total`), and warns when it is full.
 */
export function watchDenyList(denyList: DenyList, maxEntries: number, logger: Logger, registry: Registry): void {
  new Gauge({
    name: 'warren_chat_api_deny_list_entries',
    help: 'Ended logins the deny list holds',
    registers: [registry],
    collect() {
      this.set(denyList.size);
    },
  });
  const evicted = new Counter({
    name: 'warren_chat_api_deny_list_evictions_total',
    help: 'Ended logins dropped from the full deny list (their tokens are admitted again until they expire)',
    registers: [registry],
  });
  let evictions = 0;
  denyList.on('evicted', (sid) => {
    evicted.inc();
    if (evictions++ % WARN_EVERY === 0) {
      logger.warn(
        { sid, maxEntries, evictions },
        'deny list full (DENY_LIST_SIZE): the oldest ended login was dropped',
      );
    }
  });
}
