import { ApiError, type FieldProblem } from './api-error.ts';

/** Options of {@link requestJson}. */
export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  /** An access token for `Authorization: Bearer`. */
  readonly token?: string;
}

function retryAfterOf(response: Response): number | undefined {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

async function problemOf(response: Response): Promise<{ code?: string; detail?: string; errors?: FieldProblem[] }> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return {};
  try {
    const body = (await response.json()) as { code?: unknown; detail?: unknown; errors?: unknown };
    return {
      ...(typeof body.code === 'string' ? { code: body.code } : {}),
      ...(typeof body.detail === 'string' ? { detail: body.detail } : {}),
      ...(Array.isArray(body.errors) ? { errors: body.errors as FieldProblem[] } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * Calls a path of the one origin with a JSON body and reads the JSON answer (`undefined` for 204 or an empty body).
 * @throws ApiError for any answer that is not 2xx, and for no answer at all (status 0).
 */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0);
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response), retryAfterOf(response));
  if (response.status === 204) return undefined as T;
  try {
    // A 202 may come without a body (HTTP.md: deleting a message).
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  } catch {
    // A 2xx that is not JSON is not one of Warren's answers: something in between answered.
    throw new ApiError(502);
  }
}
