import { names } from '@warren/shared/amqp';
import { ManagementApiError } from '@warren/shared/management';

/** Options of a {@link CliError}. */
export interface CliErrorOptions {
  /** The underlying error, kept for debugging; the message is what is printed. */
  cause?: unknown;
}

/**
 * A failure the CLI explains in one sentence (or a few lines), without a stack trace. `code` is
 * stable (code that embeds the CLI and tests branch on it, never on the text), `exitCode` the
 * process's exit status, `message` what is printed after `warren: `.
 */
export class CliError extends Error {
  readonly code: string;
  /** The process's exit code. */
  readonly exitCode: number;

  constructor(code: string, exitCode: number, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** The constructor {@link defineCliError} returns: `new X(message, options?)`. */
export interface CliErrorClass {
  new (message: string, options?: CliErrorOptions): CliError;
  readonly code: string;
  readonly exitCode: number;
}

const registry = new Map<string, { exitCode: number }>();

/**
 * Registers a stable CLI error code with its exit status, like shared's `defineError` does for
 * HTTP statuses: each code is defined once.
 *
 * @throws Error when the code is already defined, so two modules cannot reuse one code.
 */
export function defineCliError(code: string, exitCode = 1): CliErrorClass {
  if (registry.has(code)) throw new Error(`CLI error code ${code} is defined twice`);
  registry.set(code, { exitCode });
  return class extends CliError {
    static readonly code = code;
    static readonly exitCode = exitCode;
    constructor(message: string, options?: CliErrorOptions) {
      super(code, exitCode, message, options);
    }
  };
}

/** Every CLI error code defined so far, with its exit status, for docs and tests. */
export function definedCliErrors(): ReadonlyMap<string, { exitCode: number }> {
  return registry;
}

/** The CLI's errors; each exits with status 1 (commander's own usage errors are not among them). */
export const CliErrors = {
  /** A variable or flag with a value the CLI cannot use. */
  invalidConfig: defineCliError('INVALID_CONFIG'),
  /** An argument or option the command cannot use (`--sessions`, a bot's name). */
  invalidArgument: defineCliError('INVALID_ARGUMENT'),
  /** A bot named like a Warren service or trusted publisher. */
  reservedName: defineCliError('RESERVED_NAME'),
  /** A vhost, AMQP user, session, exchange or queue that does not exist. */
  notFound: defineCliError('NOT_FOUND'),
  /** An AMQP user that exists already: it is left as it is. */
  userExists: defineCliError('USER_EXISTS'),
  /** A message the envelope rules would refuse (the persister would dead-letter it). */
  messageRefused: defineCliError('MESSAGE_REFUSED'),
  /** Some dead letters could not be requeued; they stay in the dead-letter queue. */
  requeueIncomplete: defineCliError('REQUEUE_INCOMPLETE'),
  /** PostgreSQL could not be reached. */
  databaseUnavailable: defineCliError('DATABASE_UNAVAILABLE'),
  /** The database lacks a service's tables: that service has not migrated it yet. */
  databaseNotMigrated: defineCliError('DATABASE_NOT_MIGRATED'),
  /** RabbitMQ refused the login or the vhost. */
  brokerLoginRefused: defineCliError('BROKER_LOGIN_REFUSED'),
  /** RabbitMQ could not be reached. */
  brokerUnreachable: defineCliError('BROKER_UNREACHABLE'),
  /** RabbitMQ refused an operation: a permission, a `user_id`, an internal exchange, a limit. */
  brokerRefused: defineCliError('BROKER_REFUSED'),
  /** Any other failure of a broker operation (a publish not confirmed, a closed channel). */
  brokerFailed: defineCliError('BROKER_FAILED'),
  /** The management API refused the user of RABBITMQ_MANAGEMENT_URL. */
  managementRefused: defineCliError('MANAGEMENT_REFUSED'),
  /** The management API could not be reached. */
  managementUnreachable: defineCliError('MANAGEMENT_UNREACHABLE'),
  /** Any other failure of a management API call. */
  managementFailed: defineCliError('MANAGEMENT_FAILED'),
} as const;

/** A RabbitMQ permission kind. */
export type Permission = 'configure' | 'write' | 'read';

/** What the CLI was doing when the broker refused: RabbitMQ's refusal names the resource, not the permission. */
export interface BrokerAction {
  /** The AMQP user of the connection. */
  readonly user: string;
  readonly vhost: string;
  /** What was tried, to follow "user 'u' may not …": `publish to warren.session.…`. */
  readonly doing: string;
  /** The permission the operation needs, or one per kind of resource (a binding needs both sides). */
  readonly permission: Permission | Readonly<Partial<Record<'exchange' | 'queue', Permission>>>;
  /** What to do about a refusal, for this command: of a permission, of a `user_id`. */
  readonly hints?: { readonly permission?: string; readonly userId?: string };
}

/** `<code> (<NAME>) with message "<text>"`, as amqplib words a broker's close frame. */
const CLOSE_FRAME = /(\d{3}) \(([A-Z-]+)\) with message "(.*)"$/s;

/** The reply code and text of a broker's close, or undefined for any other error. */
export function brokerReply(error: unknown): { code: number; text: string } | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const match = CLOSE_FRAME.exec(message);
  if (!match) return undefined;
  return { code: Number(match[1]), text: match[3] ?? '' };
}

const withHint = (sentence: string, hint: string | undefined): string => (hint ? `${sentence} ${hint}` : sentence);

/**
 * One sentence for an error the broker gave while the CLI was doing `action`: which permission a
 * refusal is about, whose `user_id` was refused, which session does not exist.
 */
export function explainBrokerError(error: unknown, action: BrokerAction): CliError {
  const reply = brokerReply(error);
  const { user, vhost } = action;
  if (reply?.code === 403) {
    const resource = /access to (exchange|queue) '([^']*)'/.exec(reply.text);
    if (resource) {
      const kind = resource[1] as 'exchange' | 'queue';
      const permission = typeof action.permission === 'string' ? action.permission : action.permission[kind];
      return new CliErrors.brokerRefused(
        withHint(
          `RabbitMQ refused to let user '${user}' ${action.doing}: it has no ${permission ?? 'such'} permission on ${kind} '${resource[2]}' in vhost '${vhost}'.`,
          action.hints?.permission,
        ),
        { cause: error },
      );
    }
    const internal = /cannot publish to internal exchange '([^']*)'/.exec(reply.text);
    if (internal) {
      return new CliErrors.brokerRefused(
        `RabbitMQ refused to ${action.doing}: exchange '${internal[1]}' is internal, fed only by other exchanges. Publish to a session's exchange (warren.session.<id>).`,
        { cause: error },
      );
    }
  }
  if (reply?.code === 406) {
    const claim = /user_id property set to '([^']*)' but authenticated user was '([^']*)'/.exec(reply.text);
    if (claim) {
      return new CliErrors.brokerRefused(
        withHint(
          `RabbitMQ refused user_id '${claim[1]}': this connection is authenticated as '${claim[2]}', and a publisher may only put its own user in user_id.`,
          action.hints?.userId,
        ),
        { cause: error },
      );
    }
  }
  if (reply?.code === 404) {
    const missing = /no (exchange|queue) '([^']*)'/.exec(reply.text);
    if (missing) {
      const sessionId = missing[1] === 'exchange' ? names.sessionIdOf(missing[2] ?? '') : null;
      return new CliErrors.notFound(
        sessionId === null
          ? `vhost '${vhost}' has no ${missing[1]} '${missing[2]}'.`
          : `session ${sessionId} does not exist: vhost '${vhost}' has no exchange '${missing[2]}' (\`warren sessions\` lists the sessions).`,
        { cause: error },
      );
    }
  }
  if (reply?.code === 530) {
    const channels =
      /number of channels opened for user '([^']*)' has reached the maximum allowed user limit of \((\d+)\)/.exec(
        reply.text,
      );
    if (channels) {
      return new CliErrors.brokerRefused(
        `RabbitMQ closed the connection: user '${channels[1]}' has reached its channel limit (max-channels ${channels[2]}).`,
        { cause: error },
      );
    }
  }
  const detail = reply ? reply.text : error instanceof Error ? error.message : String(error);
  return new CliErrors.brokerFailed(`could not ${action.doing}: ${detail}`, { cause: error });
}

/**
 * One sentence for a failed connection to the broker: wrong credentials, a vhost the user may not
 * open, or an unreachable broker (whose message names the URL, without its password).
 */
export function explainConnectError(error: unknown, user: string, vhost: string): CliError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (/Handshake terminated by server: 403/.test(message)) {
    return new CliErrors.brokerLoginRefused(
      `RabbitMQ refused the login of user '${user}': wrong user name or password (they come from RABBITMQ_URL or --url).`,
      { cause: error },
    );
  }
  // RabbitMQ answers connection.open with a bare close for each of these, and amqplib drops its text.
  if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(message)) {
    return new CliErrors.brokerLoginRefused(
      `RabbitMQ refused to open vhost '${vhost}' for user '${user}': the vhost does not exist, the user has no permissions in it, or the user has reached its connection limit (max-connections).`,
      { cause: error },
    );
  }
  return new CliErrors.brokerUnreachable(error instanceof Error ? error.message : String(error), { cause: error });
}

/** One sentence for a failed call of the management HTTP API while doing `doing`. */
export function explainManagementError(error: unknown, doing: string): CliError {
  if (error instanceof ManagementApiError) {
    if (error.status === 0) return new CliErrors.managementUnreachable(error.message, { cause: error });
    if (error.status === 401 || error.status === 403) {
      return new CliErrors.managementRefused(
        `the RabbitMQ management API refused to ${doing} (${error.status}): the user of RABBITMQ_MANAGEMENT_URL (or --management-url) needs the administrator tag and a valid password.`,
        { cause: error },
      );
    }
    return new CliErrors.managementFailed(`the RabbitMQ management API could not ${doing}: ${error.message}`, {
      cause: error,
    });
  }
  return new CliErrors.managementFailed(
    `could not ${doing}: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
    },
  );
}
