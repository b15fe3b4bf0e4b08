/**
 * @packageDocumentation
 * services/ws-gateway: WebSockets for Warren's clients (WEBSOCKET.md). Each authenticated
 * connection gets its own exclusive queue bound to its user's exchange, and every delivery becomes
 * a `message` or `event` frame decoded by the shared envelope rules.
 */

export type { ReadyConnection } from './client-connection.ts';
export { CloseCode } from './close-codes.ts';
export { configShape, DEFAULT_ALLOWED_ORIGINS, loadConfig, type WsGatewayConfig } from './config.ts';
export type {
  ClientFrame,
  ErrorFrame,
  EventFrame,
  FrameErrorCode,
  MessageFrame,
  PongFrame,
  ReadyFrame,
  ServerFrame,
} from './frames.ts';
export type { ClosedConnection, Gateway, GatewayEvents } from './gateway.ts';
export { startWsGatewayService, type WsGatewayService } from './ws-gateway-service.ts';
