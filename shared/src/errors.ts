/** A field problem inside a problem document (HTTP.md). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** Options of a {@link WarrenError}. */
export interface WarrenErrorOptions {
  /** The underlying error, kept for logs, never shown to a client. */
  cause?: unknown;
  /** Field problems, shown to the client. */
  errors?: readonly FieldError[];
  /** Extra response headers (for example `Retry-After`). */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Base of every error Warren answers a client with. `code` is stable (clients and docs rely on it),
 * `status` the HTTP status, `message` the problem's `detail`.
 */
export class WarrenError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: string, status: number, title: string, detail: string, options: WarrenErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WarrenError';
    this.code = code;
    this.status = status;
    this.title = title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

/** The constructor {@link defineError} returns: `new X(detail?, options?)`. */
export interface WarrenErrorClass {
  new (detail?: string, options?: WarrenErrorOptions): WarrenError;
  readonly code: string;
  readonly status: number;
}

const registry = new Map<string, { status: number; title: string }>();

/**
 * Registers a stable error code (fastify's error registry, in small): each code is defined once,
 * with its HTTP status and a title that is also the default detail.
 *
 * @throws Error when the code is already defined, so two modules cannot reuse one code.
 */
export function defineError(code: string, status: number, title: string): WarrenErrorClass {
  if (registry.has(code)) throw new Error(`error code ${code} is defined twice`);
  registry.set(code, { status, title });
  return class extends WarrenError {
    static readonly code = code;
    static readonly status = status;
    constructor(detail: string = title, options?: WarrenErrorOptions) {
      super(code, status, title, detail, options);
    }
  };
}

/** Every code defined so far, for docs and tests. */
export function definedErrors(): ReadonlyMap<string, { status: number; title: string }> {
  return registry;
}

/** Errors the shared package itself raises. */
export const SharedErrors = {
  notFound: defineError('NOT_FOUND', 404, 'Not found'),
  invalidRequest: defineError('INVALID_REQUEST', 400, 'Invalid request'),
  invalidJson: defineError('INVALID_JSON', 400, 'Body is not valid JSON'),
  bodyTooLarge: defineError('BODY_TOO_LARGE', 413, 'Body too large'),
  unsupportedMediaType: defineError('UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported media type'),
  unauthorized: defineError('UNAUTHORIZED', 401, 'Not authenticated'),
  /**
   * auth's JWKS could not be fetched and no cached key fits the token: an outage, not a bad token,
   * so the client retries rather than signs in again.
   */
  signingKeysUnavailable: defineError('SIGNING_KEYS_UNAVAILABLE', 503, 'Signing keys unavailable'),
  rateLimited: defineError('RATE_LIMITED', 429, 'Too many requests'),
  brokerUnavailable: defineError('BROKER_UNAVAILABLE', 503, 'Message broker unavailable'),
  databaseUnavailable: defineError('DATABASE_UNAVAILABLE', 503, 'Database unavailable'),
  internal: defineError('INTERNAL', 500, 'Internal error'),
} as const;
