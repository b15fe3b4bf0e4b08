import type { Channel } from 'amqplib';
import { type ExchangeSpec, exchanges, type QueueSpec, queues } from './topology.ts';

/** Declares one exchange as its spec says. */
export async function declareExchange(channel: Channel, spec: ExchangeSpec): Promise<void> {
  await channel.assertExchange(spec.name, spec.type, spec.options);
}

/** Declares one queue and its bindings as its spec says. */
export async function declareQueue(channel: Channel, spec: QueueSpec): Promise<void> {
  await channel.assertQueue(spec.name, { ...spec.options, arguments: { ...spec.options.arguments } });
  for (const binding of spec.bindings) await channel.bindQueue(spec.name, binding.source, binding.routingKey);
}

/**
 * Declares the deployment's fixed topology (what `rabbitmq/definitions.json` also holds): for
 * `npm start`, test runs and brokers started without the definitions. Idempotent.
 */
export async function declareDeploymentTopology(channel: Channel): Promise<void> {
  for (const spec of Object.values(exchanges)) await declareExchange(channel, spec);
  for (const spec of Object.values(queues)) await declareQueue(channel, spec);
}
