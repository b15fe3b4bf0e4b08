/**
 * @packageDocumentation
 * services/ws-gateway: WebSockets for Warren's clients (WEBSOCKET.md). Each authenticated
 * connection gets its own exclusive queue bound to its user's exchange, and every delivery becomes
 * a `message` or `event` frame decoded by the shared envelope rules. Its frames are declared in
 * `@warren/shared/contract`.
 */

export type { ReadyConnection } from './client-connection.ts';
export { CloseCode } from './close-codes.ts';
export { configShape, DEFAULT_ALLOWED_ORIGINS, loadConfig, type WsGatewayConfig } from './config.ts';
export { WsGatewayErrors } from './errors.ts';
export type { ClosedConnection, Gateway, GatewayEvents } from './gateway.ts';
export { startWsGatewayService, type WsGatewayService } from './ws-gateway-service.ts';
