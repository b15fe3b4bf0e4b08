import { expect } from 'chai';
import { CloseCode, closeCodeLabel } from '../src/close-codes.ts';

describe('close codes', () => {
  it("are WEBSOCKET.md's, with 1008 and 1009 of docs/ws-gateway.md", () => {
    // WEBSOCKET.md "Closing": 4001 not authenticated, 4008 too slow, 1001 shutting down, 1011 lost the broker.
    const spec = [CloseCode.notAuthenticated, CloseCode.tooSlow, CloseCode.goingAway, CloseCode.unavailable];
    expect(spec).to.deep.equal([4001, 4008, 1001, 1011]);
    // MAX_CONNECTIONS_PER_USER and MAX_FRAME_BYTES (not yet in WEBSOCKET.md); no other code.
    expect([CloseCode.tooManyConnections, CloseCode.messageTooBig]).to.deep.equal([1008, 1009]);
    expect(Object.keys(CloseCode)).to.have.length(6);
  });

  it('label the gateway’s codes and common ones, and nothing a client makes up', () => {
    for (const code of [1000, 1001, 1005, 1006, 1008, 1009, 1011, 4001, 4008])
      expect(closeCodeLabel(code)).to.equal(String(code));
    for (const code of [1002, 3000, 4000, 4999]) expect(closeCodeLabel(code)).to.equal('other');
  });
});
