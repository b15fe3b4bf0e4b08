/**
 * Whether a WebSocket upgrade's `Origin` header is allowed (WEBSOCKET.md "Connecting"): browsers
 * always send it, so a missing one is a program, not a page another site could have opened, and is
 * allowed; a present one must be one of `allowed` exactly as browsers serialize origins
 * (`scheme://host[:port]`, lower-case, default port omitted). `null` (a sandboxed or file page) is
 * refused unless listed.
 */
export function isOriginAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  return origin === undefined || allowed.has(origin);
}
