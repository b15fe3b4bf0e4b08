import { Counter, Gauge, type Registry } from 'prom-client';

/** The ws-gateway's own metrics (OPERATIONS.md "Observability"). */
export interface GatewayMetrics {
  readonly connections: Gauge;
  readonly framesSent: Counter<'type'>;
  readonly invalidDeliveries: Counter<'reason'>;
  readonly failedDeliveries: Counter;
  readonly closes: Counter<'code'>;
  readonly encodeCache: Counter<'result'>;
}

/** Creates the ws-gateway's metrics in `registry`. */
export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const registers = [registry];
  return {
    connections: new Gauge({
      name: 'warren_ws_connections',
      help: 'Open WebSocket connections, authenticated or not',
      registers,
    }),
    framesSent: new Counter({
      name: 'warren_ws_frames_sent_total',
      help: 'Frames handed to sockets, by frame type (ready, message, event, pong, error)',
      labelNames: ['type'],
      registers,
    }),
    invalidDeliveries: new Counter({
      name: 'warren_ws_deliveries_invalid_total',
      // The envelope code only, never the detail, so the label has a handful of values.
      help: 'Deliveries not sent to a socket because they break the envelope rules, by reason code',
      labelNames: ['reason'],
      registers,
    }),
    failedDeliveries: new Counter({
      name: 'warren_ws_deliveries_failed_total',
      help: 'Deliveries dropped because handling them threw (a bug): the shared consumer channel stays open',
      registers,
    }),
    closes: new Counter({
      name: 'warren_ws_closes_total',
      help: 'Closed WebSocket connections by close code (4008: slow clients, 4001: authentication, 1011: broker lost)',
      labelNames: ['code'],
      registers,
    }),
    encodeCache: new Counter({
      name: 'warren_ws_encode_cache_lookups_total',
      help: 'Deliveries looked up in the encoding cache, by result (hit: decoded and serialized for another socket already)',
      labelNames: ['result'],
      registers,
    }),
  };
}
