import { EndedLoginsSource, type EndedLoginsSourceOptions } from '@warren/shared/tokens';
import { Counter, type Registry } from 'prom-client';
import type { DenyList } from './deny-list.ts';

/**
 * Options of {@link DenyListRebuild}: those of the shared {@link EndedLoginsSource} (AUTH_URL, the
 * logger, timeout, backoff, clock), but what to read and where it goes, which the deny list decides.
 */
export interface DenyListRebuildOptions extends Omit<EndedLoginsSourceOptions, 'lookbackMs' | 'sink' | 'failures'> {
  readonly denyList: DenyList;
  /** Where `warren_chat_api_deny_list_rebuild_failures_total` is registered. */
  readonly registry: Registry;
}

/**
 * Fills the deny list from auth's record (`GET {AUTH_URL}/auth/ended-logins?since=`), reading back
 * as far as a login's tokens may live, at start and after every reconnect of the instance queue;
 * a failure is counted (`warren_chat_api_deny_list_rebuild_failures_total`) and retried with
 * exponential backoff until it succeeds. Requests that find the list not ready call
 * {@link EndedLoginsSource.tryNow}.
 */
export class DenyListRebuild extends EndedLoginsSource {
  constructor({ denyList, registry, ...options }: DenyListRebuildOptions) {
    super({
      ...options,
      lookbackMs: (accessTokenTtlSec) => denyList.lookbackMs(accessTokenTtlSec),
      sink: (ended, accessTokenTtlSec) => denyList.rebuild(ended, accessTokenTtlSec),
      failures: new Counter({
        name: 'warren_chat_api_deny_list_rebuild_failures_total',
        help: 'Attempts to read the ended logins from auth that failed (retried with backoff)',
        registers: [registry],
      }),
    });
  }
}
