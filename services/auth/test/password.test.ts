import { expect } from 'chai';
import { PasswordHasher } from '../src/password.ts';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(4);

  it('verifies the password it hashed and refuses another', async () => {
    const hash = await hasher.hash('correct horse');
    expect(hash).to.match(/^\$2[aby]\$04\$/);
    expect(await hasher.verify('correct horse', hash)).to.equal(true);
    expect(await hasher.verify('wrong horse', hash)).to.equal(false);
  });

  it('refuses any password for an unknown user (no hash), after doing the same work', async () => {
    expect(await hasher.verify('decoy password for unknown users', undefined)).to.equal(false);
  });

  it('never matches a password over 72 bytes, though bcrypt alone would', async () => {
    const exactly72 = 'a'.repeat(72);
    const hash = await hasher.hash(exactly72);
    expect(await hasher.verify(exactly72, hash)).to.equal(true);
    expect(await hasher.verify(`${exactly72}b`, hash)).to.equal(false);
  });
});
