import { limits } from '@warren/shared/limits';
import bcrypt from 'bcrypt';

/**
 * Hashes and checks passwords with bcrypt. Passwords over 72 bytes never reach here: the request
 * schema refuses them, because bcrypt would silently ignore the rest.
 */
export class PasswordHasher {
  readonly #cost: number;
  /** Compared against when the user does not exist, so both failures take the same time. */
  readonly #decoy: Promise<string>;

  constructor(cost: number) {
    this.#cost = cost;
    this.#decoy = bcrypt.hash('decoy password for unknown users', cost);
  }

  /** A bcrypt hash of `password` at the configured cost. */
  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.#cost);
  }

  /**
   * Whether `password` matches `hash`; with no hash (unknown user), false after the same work.
   * A password over 72 bytes never matches: bcrypt would compare only its first 72 bytes.
   */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const matches = await bcrypt.compare(password, hash ?? (await this.#decoy));
    return hash !== undefined && matches && Buffer.byteLength(password, 'utf8') <= limits.passwordBytes.max;
  }
}
