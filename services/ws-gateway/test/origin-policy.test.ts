import { expect } from 'chai';
import { isOriginAllowed } from '../src/origin-policy.ts';

describe('origin policy', () => {
  const allowed = new Set(['https://chat.example.com', 'http://localhost:8080']);

  it('allows a listed origin and a client that sends none', () => {
    expect(isOriginAllowed('https://chat.example.com', allowed)).to.equal(true);
    expect(isOriginAllowed('http://localhost:8080', allowed)).to.equal(true);
    expect(isOriginAllowed(undefined, allowed)).to.equal(true);
  });

  it('refuses any other origin, another port or scheme, and null', () => {
    for (const origin of ['https://evil.example.net', 'http://chat.example.com', 'http://localhost:8081', 'null', '']) {
      expect(isOriginAllowed(origin, allowed), origin).to.equal(false);
    }
  });
});
