import { redactUrl } from '../url.ts';

/** A connection as the management API lists it. */
export interface ManagementConnection {
  name: string;
  user: string;
  vhost: string;
  client_properties?: { connection_name?: string };
}

/** A RabbitMQ management HTTP API error, with the status the API answered. */
export class ManagementApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ManagementApiError';
    this.status = status;
  }
}

/**
 * A small client of the RabbitMQ management HTTP API (the plugin on port 15672): what test runs,
 * `npm start` and operators' tools need, with credentials taken from the URL.
 */
export class ManagementClient {
  readonly #base: string;
  readonly #authorization: string;
  readonly #display: string;

  constructor(url: string) {
    const parsed = new URL(url);
    this.#authorization = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
    this.#display = redactUrl(url);
    parsed.username = '';
    parsed.password = '';
    this.#base = parsed.toString().replace(/\/$/, '');
  }

  /** Calls the API; resolves with the parsed JSON answer (undefined when it has none). */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}/api${path}`, {
        method,
        headers: { authorization: this.#authorization, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ManagementApiError(
        `cannot reach the RabbitMQ management API at ${this.#display}: ${(error as Error).message}. ` +
          'Enable it with `rabbitmq-plugins enable rabbitmq_management` or set RABBITMQ_MANAGEMENT_URL.',
        0,
        { cause: error },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      throw new ManagementApiError(
        `${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`,
        response.status,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Creates a vhost (idempotent). */
  async createVhost(vhost: string): Promise<void> {
    await this.request('PUT', `/vhosts/${encodeURIComponent(vhost)}`, {});
  }

  /** Deletes a vhost and everything in it; a missing vhost is fine. */
  async deleteVhost(vhost: string): Promise<void> {
    try {
      await this.request('DELETE', `/vhosts/${encodeURIComponent(vhost)}`);
    } catch (error) {
      if (!(error instanceof ManagementApiError && error.status === 404)) throw error;
    }
  }

  /** Sets a user's permission regexes in a vhost. */
  async setPermissions(
    vhost: string,
    user: string,
    permissions: { configure: string; write: string; read: string },
  ): Promise<void> {
    await this.request('PUT', `/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, permissions);
  }

  /** Deletes a user; a missing user is fine. */
  async deleteUser(user: string): Promise<void> {
    try {
      await this.request('DELETE', `/users/${encodeURIComponent(user)}`);
    } catch (error) {
      if (!(error instanceof ManagementApiError && error.status === 404)) throw error;
    }
  }

  /** Lists the connections, optionally only those of one vhost. */
  async connections(vhost?: string): Promise<ManagementConnection[]> {
    const path = vhost ? `/vhosts/${encodeURIComponent(vhost)}/connections` : '/connections';
    return this.request<ManagementConnection[]>('GET', path);
  }

  /** Closes a connection by its management name, as an operator does in the UI. */
  async closeConnection(name: string, reason = 'closed by operator'): Promise<void> {
    await this.request('DELETE', `/connections/${encodeURIComponent(name)}`, undefined, { 'x-reason': reason }).catch(
      (error: unknown) => {
        if (!(error instanceof ManagementApiError && error.status === 404)) throw error;
      },
    );
  }
}
