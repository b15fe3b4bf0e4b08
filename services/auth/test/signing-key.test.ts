import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@warren/shared/logging';
import { expect } from 'chai';
import { GENERATED_KEY_FILE, loadSigningKey } from '../src/signing-key.ts';

const logger = createLogger({ service: 'test', level: 'silent' });
const tempDir = () => mkdtempSync(join(tmpdir(), 'warren-key-'));

describe('loadSigningKey', () => {
  it('makes an ES256 key on first start, private to its owner, and reuses it', async () => {
    const dataDir = join(tempDir(), 'nested');
    const first = await loadSigningKey({ dataDir, logger });
    expect(first.algorithm).to.equal('ES256');
    expect(statSync(join(dataDir, GENERATED_KEY_FILE)).mode & 0o777).to.equal(0o600);
    const second = await loadSigningKey({ dataDir, logger });
    expect(second.kid).to.equal(first.kid);
    expect(second.jwk).to.deep.equal(first.jwk);
  });

  it('reads an RSA key from the named file and signs RS256', async () => {
    const dir = tempDir();
    const file = join(dir, 'rsa.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const key = await loadSigningKey({ file, dataDir: dir, logger });
    expect(key.algorithm).to.equal('RS256');
    expect(key.jwk).to.include({ kty: 'RSA', alg: 'RS256', kid: key.kid });
    expect(() => readFileSync(join(dir, GENERATED_KEY_FILE))).to.throw();
  });

  it('refuses a key of another kind', async () => {
    const dir = tempDir();
    const file = join(dir, 'p384.pem');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const error = await loadSigningKey({ file, dataDir: dir, logger }).catch((e: unknown) => e as Error);
    expect(error).to.have.property('code', 'SIGNING_KEY_INVALID');
  });
});
