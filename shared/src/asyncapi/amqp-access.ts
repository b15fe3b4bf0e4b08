/**
 * Who may do what to a name, read from the RabbitMQ permissions of `../amqp/topology.ts`: the
 * AsyncAPI document lists, for each exchange and queue, the AMQP users the broker lets publish to or
 * consume from it, so it says what the deployment enforces rather than what someone wrote down.
 */
import { type AmqpUser, amqpUsers, permissions } from '../amqp/topology.ts';

/** What an AMQP user is checked for: `configure` to declare a name, `write` to publish to an exchange, `read` to consume a queue. */
export type Access = 'configure' | 'write' | 'read';

/** A made-up UUID that stands for every `{parameter}` of an address when it is checked against a permission. */
export const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';

/** The name an address stands for, its `{parameters}` filled in with a UUID. */
export function sampleName(address: string): string {
  return address.replaceAll(/\{[^}]+\}/g, SAMPLE_ID);
}

/** Whether the user's permission regex for `access` lets it at the resource `name` (RabbitMQ matches the whole regex, unanchored). */
export function mayAccess(user: AmqpUser, access: Access, name: string): boolean {
  return new RegExp(permissions[user][access]).test(name);
}

/** The AMQP users that may `access` the resource an address names, in `amqpUsers` order. */
export function usersWithAccess(access: Access, address: string): AmqpUser[] {
  const name = sampleName(address);
  return amqpUsers.filter((user) => mayAccess(user, access, name));
}

/**
 * Whether a topic routing key matches a binding key: words split on `.`, `*` is exactly one word,
 * `#` zero or more. A `{parameter}` in the key counts as one word.
 */
export function topicMatches(bindingKey: string, routingKey: string): boolean {
  const match = (pattern: readonly string[], words: readonly string[]): boolean => {
    const [head, ...rest] = pattern;
    if (head === undefined) return words.length === 0;
    if (head === '#') return words.some((_, i) => match(rest, words.slice(i))) || match(rest, []);
    const [word, ...after] = words;
    return word !== undefined && (head === '*' || head === word) && match(rest, after);
  };
  return match(bindingKey.split('.'), routingKey.split('.'));
}
