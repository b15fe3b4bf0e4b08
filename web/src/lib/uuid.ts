/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. The client makes its
 * messages' ids itself so a retry can send the same id (HTTP.md: never stored twice), and a
 * time-ordered id is what Warren makes for messages too. `crypto.getRandomValues` rather than
 * `crypto.randomUUID`, which browsers offer only on secure origins.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let time = now;
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
