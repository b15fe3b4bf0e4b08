import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publicJwkOf } from '@warren/shared/tokens';
import type { Logger } from 'pino';
import { AuthErrors } from './errors.ts';

/** The key that signs access tokens, and what verifiers need to know of it. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly algorithm: 'ES256' | 'RS256';
  /** The JWK thumbprint: the `kid` of tokens and of the JWKS entry. */
  readonly kid: string;
  /** The public JWK served at the JWKS endpoint. */
  readonly jwk: ReturnType<typeof publicJwkOf>;
}

/** Name of the generated key inside DATA_DIR. */
export const GENERATED_KEY_FILE = 'jwt-signing-key.pem';

function toSigningKey(privateKey: KeyObject, source: string): SigningKey {
  const type = privateKey.asymmetricKeyType;
  const details = privateKey.asymmetricKeyDetails;
  let algorithm: SigningKey['algorithm'];
  if (type === 'ec' && details?.namedCurve === 'prime256v1') algorithm = 'ES256';
  else if (type === 'rsa' && (details?.modulusLength ?? 0) >= 2048) algorithm = 'RS256';
  else throw new AuthErrors.signingKeyInvalid(`${source}: the signing key must be EC P-256 or RSA ≥ 2048 bits`);
  const jwk = publicJwkOf(createPublicKey(privateKey));
  return { privateKey, algorithm, kid: jwk.kid, jwk };
}

/**
 * The signing key: read from `file` when given, else the one kept in `dataDir`, made (EC P-256) on
 * first start. The file is created exclusively, so instances sharing a data folder agree on one key.
 */
export async function loadSigningKey(options: {
  file?: string | undefined;
  dataDir: string;
  logger: Logger;
}): Promise<SigningKey> {
  if (options.file) return toSigningKey(createPrivateKey(await readFile(options.file)), options.file);
  const path = join(options.dataDir, GENERATED_KEY_FILE);
  const existing = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing) return toSigningKey(createPrivateKey(existing), path);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  try {
    await writeFile(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { flag: 'wx', mode: 0o600 });
    options.logger.info({ path }, 'generated a new token signing key');
  } catch (error) {
    // Another instance sharing the folder wrote its key first: use that one.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return toSigningKey(createPrivateKey(await readFile(path)), path);
}
