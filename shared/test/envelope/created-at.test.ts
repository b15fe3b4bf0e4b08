import { expect } from 'chai';
import { createdAtOf, EnvelopeError } from '../../src/envelope/index.ts';
import { delivery, RECEIVED_AT, TRUSTED } from './fixtures.ts';

describe('envelope createdAtOf', () => {
  const timestamp = 1_700_000_000;
  const fromTimestamp = '2023-11-14T22:13:20.000Z';
  const body = { created_at: '2024-05-06T07:08:09.123Z' };

  it("takes a trusted publisher's created_at first", () => {
    const d = delivery('', { userId: 'chat-api', timestamp });
    expect(createdAtOf(d, body, TRUSTED, RECEIVED_AT)).to.equal(body.created_at);
  });

  it('normalizes it to UTC with milliseconds', () => {
    const d = delivery('', { userId: 'chat-api' });
    expect(createdAtOf(d, { created_at: '2024-05-06T09:08:09+02:00' }, TRUSTED, RECEIVED_AT)).to.equal(
      '2024-05-06T07:08:09.000Z',
    );
    expect(createdAtOf(d, { created_at: '2024-05-06T07:08:09.123456Z' }, TRUSTED, RECEIVED_AT)).to.equal(
      '2024-05-06T07:08:09.123Z',
    );
  });

  it("ignores an untrusted publisher's created_at and takes the timestamp property", () => {
    expect(createdAtOf(delivery('', { userId: 'bot', timestamp }), body, TRUSTED, RECEIVED_AT)).to.equal(fromTimestamp);
    expect(createdAtOf(delivery('', { timestamp }), body, TRUSTED, RECEIVED_AT)).to.equal(fromTimestamp);
  });

  it("does not check an untrusted publisher's created_at", () => {
    const d = delivery('', { userId: 'bot' });
    expect(createdAtOf(d, { created_at: 'yesterday' }, TRUSTED, RECEIVED_AT)).to.equal(RECEIVED_AT.toISOString());
  });

  it('takes the timestamp when a trusted publisher gives no created_at', () => {
    const d = delivery('', { userId: 'chat-api', timestamp });
    expect(createdAtOf(d, {}, TRUSTED, RECEIVED_AT)).to.equal(fromTimestamp);
    expect(createdAtOf(d, null, TRUSTED, RECEIVED_AT)).to.equal(fromTimestamp);
  });

  it('falls back to the reception time without a timestamp', () => {
    const received = RECEIVED_AT.toISOString();
    expect(createdAtOf(delivery(''), null, TRUSTED, RECEIVED_AT)).to.equal(received);
    expect(createdAtOf(delivery('', { timestamp: null }), null, TRUSTED, RECEIVED_AT)).to.equal(received);
  });

  it('takes a timestamp from the first second of 2000 to the last of 9999', () => {
    expect(createdAtOf(delivery('', { timestamp: 946_684_800 }), null, TRUSTED, RECEIVED_AT)).to.equal(
      '2000-01-01T00:00:00.000Z',
    );
    expect(createdAtOf(delivery('', { timestamp: 253_402_300_799 }), null, TRUSTED, RECEIVED_AT)).to.equal(
      '9999-12-31T23:59:59.000Z',
    );
  });

  it('throws invalid_timestamp for a timestamp outside the years 2000 to 9999, or not whole seconds', () => {
    for (const value of [
      0,
      1,
      946_684_799,
      253_402_300_800,
      9e12,
      2 ** 53,
      1.5e9 + 0.5,
      -1,
      Number.NaN,
      '1700000000',
    ]) {
      for (const userId of ['bot', 'chat-api']) {
        expect(() => createdAtOf(delivery('', { userId, timestamp: value }), null, TRUSTED, RECEIVED_AT), String(value))
          .to.throw(EnvelopeError)
          .with.property('code', 'invalid_timestamp');
      }
    }
  });

  it("checks the timestamp even when a trusted publisher's created_at wins", () => {
    const d = delivery('', { userId: 'chat-api', timestamp: 253_402_300_800 });
    expect(() => createdAtOf(d, { created_at: '2024-05-06T07:08:09Z' }, TRUSTED, RECEIVED_AT))
      .to.throw(EnvelopeError)
      .with.property('code', 'invalid_timestamp');
  });

  it("throws invalid_created_at for a trusted publisher's created_at that is not an ISO-8601 instant", () => {
    const d = delivery('', { userId: 'chat-api', timestamp });
    for (const created_at of ['yesterday', '2024-05-06', '2024-05-06T07:08:09', '2024-02-30T00:00:00Z', '1715000000']) {
      expect(() => createdAtOf(d, { created_at }, TRUSTED, RECEIVED_AT))
        .to.throw(EnvelopeError)
        .with.property('code', 'invalid_created_at');
    }
  });

  it('throws invalid_created_at for an instant outside the years 2000 to 9999 in UTC, as for the timestamp', () => {
    const d = delivery('', { userId: 'chat-api', timestamp });
    for (const created_at of [
      '0000-06-01T00:00:00Z',
      '0001-01-01T00:00:00Z',
      '2000-01-01T00:30:00+01:00',
      '9999-12-31T23:30:00-01:00',
      '+010000-01-01T00:00:00Z',
    ]) {
      expect(() => createdAtOf(d, { created_at }, TRUSTED, RECEIVED_AT), created_at)
        .to.throw(EnvelopeError)
        .with.property('code', 'invalid_created_at');
    }
    expect(createdAtOf(d, { created_at: '2000-01-01T00:00:00Z' }, TRUSTED, RECEIVED_AT)).to.equal(
      '2000-01-01T00:00:00.000Z',
    );
    expect(createdAtOf(d, { created_at: '9999-12-31T23:59:59Z' }, TRUSTED, RECEIVED_AT)).to.equal(
      '9999-12-31T23:59:59.000Z',
    );
  });
});
