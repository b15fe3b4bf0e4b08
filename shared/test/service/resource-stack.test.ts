import { expect } from 'chai';
import { ResourceStack } from '../../src/service/index.ts';

/** What a promise rejected with. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('ResourceStack', () => {
  it('closes the last added first, each after the one before it has finished', async () => {
    const stack = new ResourceStack();
    const closed: string[] = [];
    stack.add('database', () => {
      closed.push('database');
    });
    stack.add('broker', async () => {
      await Promise.resolve();
      closed.push('broker');
    });
    stack.add('server', async () => {
      // A slow close: the broker must not start closing under it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      closed.push('server');
    });
    await stack.close();
    expect(closed).to.deep.equal(['server', 'broker', 'database']);
  });

  it('closes everything when one close fails, then rejects with that failure', async () => {
    const stack = new ResourceStack();
    const closed: string[] = [];
    const failure = new Error('the broker would not close');
    stack.add('database', () => {
      closed.push('database');
    });
    stack.add('broker', () => {
      throw failure;
    });
    stack.add('server', () => {
      closed.push('server');
    });
    expect(await rejectionOf(stack.close())).to.equal(failure);
    expect(closed).to.deep.equal(['server', 'database']);
  });

  it('rejects with an AggregateError of every failure, in closing order, when several fail', async () => {
    const stack = new ResourceStack();
    const first = new Error('first added');
    const last = new Error('last added');
    stack.add('first', () => Promise.reject(first));
    stack.add('last', () => Promise.reject(last));
    const error = await rejectionOf(stack.close());
    expect(error).to.be.instanceOf(AggregateError);
    expect((error as AggregateError).errors).to.deep.equal([last, first]);
  });

  it('closes each resource once however often it is told to close', async () => {
    const stack = new ResourceStack();
    let closes = 0;
    stack.add('server', () => {
      closes += 1;
    });
    const [a, b] = [stack.close(), stack.close()];
    expect(a).to.equal(b);
    await a;
    await stack.close();
    expect(closes).to.equal(1);
  });

  it('refuses what is added once closing has begun, since nothing would close it', async () => {
    const stack = new ResourceStack();
    await stack.close();
    expect(() => stack.add('late', () => undefined)).to.throw('cannot add late: the resources are closing');
  });
});
