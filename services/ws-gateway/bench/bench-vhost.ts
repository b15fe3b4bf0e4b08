import { randomBytes } from 'node:crypto';
import { parseEnv, variables } from '@warren/shared/config';
import { ManagementClient } from '@warren/shared/management';

/** A vhost of the benchmark's own on the local broker, removed by `remove()`. */
export interface BenchVhost {
  /** AMQP URL of the vhost, as the administrator of RABBITMQ_URL. */
  readonly url: string;
  /** That administrator's name: the user_id of what the benchmark publishes. */
  readonly user: string;
  remove(): Promise<void>;
}

/** Makes a fresh vhost (RABBITMQ_URL's user, via RABBITMQ_MANAGEMENT_URL), so no benchmark touches `warren`. */
export async function createBenchVhost(): Promise<BenchVhost> {
  const env = parseEnv(
    { RABBITMQ_URL: variables.RABBITMQ_URL, RABBITMQ_MANAGEMENT_URL: variables.RABBITMQ_MANAGEMENT_URL },
    process.env,
  );
  const management = new ManagementClient(env.RABBITMQ_MANAGEMENT_URL);
  const vhost = `warren-bench-${randomBytes(4).toString('hex')}`;
  const url = new URL(env.RABBITMQ_URL);
  const user = decodeURIComponent(url.username) || 'guest';
  await management.createVhost(vhost);
  await management.setPermissions(vhost, user, { configure: '.*', write: '.*', read: '.*' });
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return { url: url.toString(), user, remove: () => management.deleteVhost(vhost) };
}
