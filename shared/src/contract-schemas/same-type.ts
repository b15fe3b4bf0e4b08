/**
 * A compile-time check that a zod schema describes exactly a contract type, so a schema written
 * next to a TypeScript-only shape cannot drift from it: changing either without the other fails
 * `tsc`.
 */
import type { z } from 'zod';

/** `T` with every property and array read-only, all the way down (contract types are read-only, zod's outputs are not). */
export type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** `true` when `A` and `B` are the same type once both are deeply read-only; not mere assignability. */
export type Same<A, B> =
  (<G>() => G extends DeepReadonly<A> ? 1 : 2) extends <G>() => G extends DeepReadonly<B> ? 1 : 2 ? true : false;

/**
 * The schema, once the compiler has checked that what it parses to is exactly `T`:
 * `exactly<UserRef>()(schema)` does not compile (it asks for a second argument of type `never`)
 * when a field is missing, extra, optional on one side only or of another type.
 */
export const exactly =
  <T>() =>
  <S extends z.ZodType>(schema: S, ..._mismatch: Same<z.output<S>, T> extends true ? [] : [mismatch: never]): S =>
    schema;
