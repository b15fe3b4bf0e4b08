/**
 * The contract's shapes that the services' answers are made of, as zod schemas checked against
 * `../../contract` at compile time. They live in `../../contract-schemas` (the AsyncAPI document is
 * made of them too); the services reach them here, so one schema describes a message on every wire.
 */
export { exactly, messageSchema, userRefSchema, userSchema } from '../../contract-schemas/index.ts';
