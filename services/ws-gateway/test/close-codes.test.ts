import { expect } from 'chai';
import { CloseCode, closeCodeLabel } from '../src/close-codes.ts';

describe('close codes', () => {
  it("are WEBSOCKET.md's", () => {
    expect(CloseCode).to.deep.equal({
      goingAway: 1001,
      // MAX_CONNECTIONS_PER_USER (docs/ws-gateway.md; not yet in WEBSOCKET.md).
      tooManyConnections: 1008,
      messageTooBig: 1009,
      unavailable: 1011,
      notAuthenticated: 4001,
      tooSlow: 4008,
    });
  });

  it('label the gateway’s codes and common ones, and nothing a client makes up', () => {
    for (const code of [1000, 1001, 1005, 1006, 1008, 1009, 1011, 4001, 4008])
      expect(closeCodeLabel(code)).to.equal(String(code));
    for (const code of [1002, 3000, 4000, 4999]) expect(closeCodeLabel(code)).to.equal('other');
  });
});
