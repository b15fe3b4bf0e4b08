/**
 * `RABBITMQ_URL` as OPERATIONS.md has it: one broker URL, or the nodes of a cluster as a
 * comma-separated list, each with the same user and vhost (a service is one AMQP user in one vhost,
 * whichever node it reaches).
 */

const PROTOCOLS = new Set(['amqp:', 'amqps:']);

/** The URLs of a comma-separated list, trimmed, blanks dropped. An array is taken as it is. */
export function splitBrokerUrls(value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? value.split(',') : value;
  return items.map((item) => item.trim()).filter(Boolean);
}

/** The vhost of a broker URL (its path), as RabbitMQ reads it: `/` when the path is empty. */
export function vhostOfUrl(url: URL): string {
  const path = url.pathname.slice(1);
  return path === '' ? '/' : decodeURIComponent(path);
}

/** The user of a broker URL, as RabbitMQ reads it: `guest` when the URL names none. */
export function userOfUrl(url: URL): string {
  return decodeURIComponent(url.username) || 'guest';
}

/**
 * What is wrong with a broker URL list, or undefined when nothing is: it must hold at least one
 * URL, each `amqp:` or `amqps:`, all with one user and one vhost. The message never echoes a URL,
 * which may hold a password.
 */
export function brokerUrlsProblem(value: string | readonly string[]): string | undefined {
  const items = splitBrokerUrls(value);
  const scheme = 'must be a URL with scheme amqp: or amqps:';
  if (items.length === 0) return `${scheme} (or a comma-separated list of them)`;
  const parsed: URL[] = [];
  for (const [index, item] of items.entries()) {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (url === undefined || !PROTOCOLS.has(url.protocol)) {
      return items.length === 1 ? scheme : `URL ${index + 1} of ${items.length} ${scheme}`;
    }
    parsed.push(url);
  }
  const [first] = parsed as [URL, ...URL[]];
  if (parsed.some((url) => userOfUrl(url) !== userOfUrl(first)))
    return 'every node of the list must have the same user';
  if (parsed.some((url) => vhostOfUrl(url) !== vhostOfUrl(first)))
    return 'every node of the list must have the same vhost';
  return undefined;
}

/**
 * The nodes of a broker URL list in the order a client tries them: it starts at a random node, so
 * that many instances given one list spread over the cluster instead of all landing on the first,
 * and each later attempt (a reconnect, or a retry after a failed connect) takes the next node, so a
 * node that went away is left at once for one that answers.
 */
export class NodeRotation {
  readonly urls: readonly string[];
  #next: number;

  /**
   * @param value the list, as {@link splitBrokerUrls} reads it.
   * @param random a source of numbers in [0, 1): picks the first node. @defaultValue Math.random
   * @throws Error when the list is empty.
   */
  constructor(value: string | readonly string[], random: () => number = Math.random) {
    this.urls = splitBrokerUrls(value);
    if (this.urls.length === 0) throw new Error('a broker URL list needs at least one URL');
    this.#next = Math.min(this.urls.length - 1, Math.floor(random() * this.urls.length));
  }

  /** How many nodes the list has. */
  get size(): number {
    return this.urls.length;
  }

  /** The URL of the node to try now; the next call returns the one after it, wrapping around. */
  next(): string {
    const url = this.urls[this.#next] as string;
    this.#next = (this.#next + 1) % this.urls.length;
    return url;
  }
}
