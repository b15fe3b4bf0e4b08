/**
 * What `promise` rejected with, for a test to inspect; throws when it fulfilled instead.
 * @typeParam E what the test expects it to be (not checked: assert it).
 */
export async function rejectionOf<E = Error>(promise: Promise<unknown>): Promise<E> {
  let value: unknown;
  try {
    value = await promise;
  } catch (thrown) {
    return thrown as E;
  }
  throw new Error(`expected a rejection, but it fulfilled with ${String(value)}`);
}
