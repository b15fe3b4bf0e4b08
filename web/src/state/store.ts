import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A value that changes and can be watched: the app's state lives in one of these, replaced (never
 * mutated) on every change, so components re-render by comparing references.
 */
export class Store<T> {
  #value: T;
  readonly #listeners = new Set<(value: T) => void>();

  constructor(initial: T) {
    this.#value = initial;
  }

  get(): T {
    return this.#value;
  }

  /** Replaces the value with what `change` makes of the current one. */
  update(change: (value: T) => T): void {
    const next = change(this.#value);
    if (next === this.#value) return;
    this.#value = next;
    for (const listener of this.#listeners) listener(next);
  }

  subscribe(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * The part of a store's value a component shows; it re-renders when that part changes (by
 * reference: `select` must return parts of the value, not new objects).
 */
export function useStore<T, S>(store: Store<T>, select: (value: T) => S): S {
  const selected = select(store.get());
  const latest = useRef({ select, selected });
  latest.current = { select, selected };
  const [, setVersion] = useState(0);
  useEffect(
    () =>
      store.subscribe((value) => {
        if (latest.current.select(value) !== latest.current.selected) setVersion((version) => version + 1);
      }),
    [store],
  );
  return selected;
}
