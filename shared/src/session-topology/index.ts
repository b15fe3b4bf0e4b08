/**
 * @packageDocumentation
 * `@warren/shared/session-topology`: the broker side of sessions (AMQP.md: membership is topology),
 * and its rebuild from chat-api's tables, which chat-api runs at start and the CLI on demand.
 */
export { declareSessionTopology } from './declare-session-topology.ts';
export { syncTopology, type TopologySyncOptions, type TopologySyncResult } from './sync-topology.ts';
