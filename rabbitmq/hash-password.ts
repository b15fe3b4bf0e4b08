/**
 * RabbitMQ password hashes for `rabbitmq/definitions.json`.
 *
 * RabbitMQ's `rabbit_password_hashing_sha256` stores `base64(salt ++ sha256(salt ++ password))` with
 * a random 4-byte salt, so a hash is always 36 bytes once decoded. A user entry of the definitions
 * names the algorithm next to the hash:
 *
 * ```json
 * { "name": "bot", "password_hash": "…", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": [] }
 * ```
 *
 * From the command line (docs/deployment.md, "Changing a password"):
 *
 * ```sh
 * npx tsx rabbitmq/hash-password.ts 'new password'      # prints the hash
 * printf %s 'new password' | npx tsx rabbitmq/hash-password.ts   # the same, kept out of shell history
 * ```
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/** The `hashing_algorithm` value that goes with a hash made here. */
export const HASHING_ALGORITHM = 'rabbit_password_hashing_sha256';

const SALT_BYTES = 4;

/**
 * The RabbitMQ SHA-256 password hash of `password`, base64.
 *
 * @param password - the clear-text password, taken as UTF-8.
 * @param salt - 4 bytes; random unless given (tests give one to get a repeatable hash).
 */
export function hashPassword(password: string, salt: Uint8Array = randomBytes(SALT_BYTES)): string {
  if (salt.length !== SALT_BYTES) throw new RangeError(`the salt must be ${SALT_BYTES} bytes`);
  const digest = createHash('sha256').update(salt).update(password, 'utf8').digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/**
 * Whether `password` is the one `hash` (a {@link hashPassword} result) was made from, the way
 * RabbitMQ checks it at login. A hash that is not 36 bytes once decoded never matches.
 */
export function verifyPassword(password: string, hash: string): boolean {
  const decoded = Buffer.from(hash, 'base64');
  if (decoded.length !== SALT_BYTES + 32) return false;
  const expected = Buffer.from(hashPassword(password, decoded.subarray(0, SALT_BYTES)), 'base64');
  return timingSafeEqual(decoded, expected);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(args: readonly string[]): Promise<void> {
  if (args.length > 1 || args[0] === '-h' || args[0] === '--help') {
    process.stderr.write('usage: npx tsx rabbitmq/hash-password.ts [password]   (no argument: read it from stdin)\n');
    process.exitCode = 2;
    return;
  }
  const password = args[0] ?? (await readStdin());
  if (password === '') {
    process.stderr.write('hash-password: the password is empty\n');
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`${hashPassword(password)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`hash-password: ${String(error)}\n`);
    process.exitCode = 1;
  });
}
