/**
 * What `run` throws, for a test to inspect: it must be a `type`. Throws when `run` returns, or
 * throws something else.
 */
export function thrownBy<E>(run: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    run();
  } catch (thrown) {
    if (thrown instanceof type) return thrown;
    throw new Error(`expected a ${type.name}, but it threw ${String(thrown)}`, { cause: thrown });
  }
  throw new Error(`expected a ${type.name}, but it returned`);
}
