import { expect } from 'chai';
import { Consumer } from '../../src/amqp/index.ts';
import { createLogger } from '../../src/logging/index.ts';

describe('Consumer (not started)', () => {
  const options = {
    queue: 'q',
    onMessage: () => undefined,
    logger: createLogger({ service: 'test', level: 'silent' }),
  };

  it('takes a prefetch from 1 to 65535', () => {
    for (const prefetch of [1, 50, 65_535]) expect(() => new Consumer({ ...options, prefetch })).to.not.throw();
  });

  it('refuses an unbounded or invalid prefetch', () => {
    for (const prefetch of [0, -1, 1.5, 65_536, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Consumer({ ...options, prefetch }), String(prefetch)).to.throw(RangeError, /prefetch/);
    }
  });
});
