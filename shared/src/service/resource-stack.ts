/** Something a service opened, and how to close it. */
interface Resource {
  readonly name: string;
  close(): Promise<void> | void;
}

/**
 * What a service has opened, closed last-in, first-out: what was opened last may use what was
 * opened before it (a server its database, a consumer its broker connection), so it closes first
 * and nothing closes under something that still uses it.
 */
export class ResourceStack {
  readonly #resources: Resource[] = [];
  #closing: Promise<void> | undefined;

  /**
   * Adds what was just opened: it closes before everything added earlier.
   * @throws Error once {@link ResourceStack.close} was called: nothing would close it any more.
   */
  add(name: string, close: () => Promise<void> | void): void {
    if (this.#closing) throw new Error(`cannot add ${name}: the resources are closing`);
    this.#resources.push({ name, close });
  }

  /**
   * Closes everything, the last added first. Each close waits for the one before it, and runs even
   * when an earlier one failed, so one failure leaves nothing else open. Calling it again returns
   * the same promise.
   * @throws the failure of a close (an AggregateError of them when several failed), after all ran.
   */
  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  async #closeAll(): Promise<void> {
    const failures: unknown[] = [];
    for (const resource of this.#resources.toReversed()) {
      try {
        await resource.close();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} resources failed to close`);
  }
}
