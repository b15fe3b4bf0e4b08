/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** Give up after this long. @defaultValue 20000 */
  timeoutMs?: number;
  /** Pause between tries. @defaultValue 100 */
  intervalMs?: number;
}

/**
 * Retries `probe` until it returns a value other than undefined or false, for views that lag by
 * design (the management API publishes its statistics every few seconds). Bounded: after
 * `timeoutMs` it throws with the last error seen.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${options.timeoutMs ?? 20_000} ms`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
