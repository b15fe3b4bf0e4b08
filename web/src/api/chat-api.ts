import type { Credentials } from '../auth/credentials.ts';
import { ApiError } from './api-error.ts';
import { type RequestOptions, requestJson } from './http.ts';
import type { Message, MessagePage, Presence, SearchHit, Session, SessionDetail, ThreadPage } from './types.ts';

/** Which way a history page goes from its cursor. */
export type PageCursor = { readonly before: string } | { readonly after: string } | Record<string, never>;

const enc = encodeURIComponent;

/**
 * chat-api's routes (HTTP.md), called with the login's current access token. A 401 gets one more
 * try with a renewed token: the token may have expired between the check and the request.
 */
export class ChatApi {
  readonly #credentials: Credentials;

  constructor(credentials: Credentials) {
    this.#credentials = credentials;
  }

  async #call<T>(path: string, options: Omit<RequestOptions, 'token'> = {}): Promise<T> {
    const token = await this.#credentials.accessToken();
    try {
      return await requestJson<T>(`/api${path}`, { ...options, token });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      const renewed = await this.#credentials.renewAfterRejection(token);
      return requestJson<T>(`/api${path}`, { ...options, token: renewed });
    }
  }

  /** The caller's sessions, most recently active first. */
  async sessions(): Promise<Session[]> {
    return (await this.#call<{ sessions: Session[] }>('/sessions')).sessions;
  }

  session(id: string): Promise<SessionDetail> {
    return this.#call(`/sessions/${enc(id)}`);
  }

  createGroup(body: { name?: string; visibility: Session['visibility']; members: string[] }): Promise<Session> {
    return this.#call('/sessions', { method: 'POST', body });
  }

  /** The one direct session with `username`, made on first use. */
  direct(username: string): Promise<Session> {
    return this.#call('/direct', { method: 'POST', body: { username } });
  }

  async searchPublic(query: string): Promise<SearchHit[]> {
    return (await this.#call<{ sessions: SearchHit[] }>(`/sessions/search?q=${enc(query)}`)).sessions;
  }

  join(id: string): Promise<Session> {
    return this.#call(`/sessions/${enc(id)}/join`, { method: 'POST' });
  }

  leave(id: string): Promise<void> {
    return this.#call(`/sessions/${enc(id)}/leave`, { method: 'POST' });
  }

  update(id: string, body: { name?: string; visibility?: Session['visibility'] }): Promise<Session> {
    return this.#call(`/sessions/${enc(id)}`, { method: 'PATCH', body });
  }

  remove(id: string): Promise<void> {
    return this.#call(`/sessions/${enc(id)}`, { method: 'DELETE' });
  }

  addMember(id: string, username: string): Promise<Session> {
    return this.#call(`/sessions/${enc(id)}/members`, { method: 'POST', body: { username } });
  }

  /** A page of history: newest first without a cursor or with `before`, oldest first with `after`. */
  messages(id: string, cursor: PageCursor, limit: number): Promise<MessagePage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if ('before' in cursor) query.set('before', cursor.before);
    if ('after' in cursor) query.set('after', cursor.after);
    return this.#call(`/sessions/${enc(id)}/messages?${query}`);
  }

  /** Posts a message with the client's own id, so a retry is never stored twice; with `replyTo`, into a thread. */
  async post(id: string, messageId: string, content: string, replyTo: string | null = null): Promise<Message> {
    const body = { id: messageId, content, ...(replyTo === null ? {} : { reply_to: replyTo }) };
    return (await this.#call<{ message: Message }>(`/sessions/${enc(id)}/messages`, { method: 'POST', body })).message;
  }

  /** Changes the content of the caller's own message; answers the message as edited. */
  async edit(id: string, messageId: string, content: string): Promise<Message> {
    const path = `/sessions/${enc(id)}/messages/${enc(messageId)}`;
    return (await this.#call<{ message: Message }>(path, { method: 'PATCH', body: { content } })).message;
  }

  /** Deletes a message: the caller's own, or any in a session the caller owns; answers its tombstone if chat-api gives one. */
  async deleteMessage(id: string, messageId: string): Promise<Message | undefined> {
    const path = `/sessions/${enc(id)}/messages/${enc(messageId)}`;
    return (await this.#call<{ message?: Message } | undefined>(path, { method: 'DELETE' }))?.message;
  }

  /** Adds (`on`) or takes back the caller's reaction with `emoji`; the emoji is URL-encoded in the path. */
  react(id: string, messageId: string, emoji: string, on: boolean): Promise<void> {
    const path = `/sessions/${enc(id)}/messages/${enc(messageId)}/reactions/${enc(emoji)}`;
    return this.#call(path, { method: on ? 'PUT' : 'DELETE' });
  }

  /** A thread's root and a page of its replies, oldest first, after the reply `after` if given. */
  thread(id: string, rootId: string, after: string | undefined, limit: number): Promise<ThreadPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (after !== undefined) query.set('after', after);
    return this.#call(`/sessions/${enc(id)}/messages/${enc(rootId)}/thread?${query}`);
  }

  /** Messages of the caller's sessions matching the words of `q`, newest first, before `before` if given. */
  searchMessages(q: string, before: string | undefined, limit: number): Promise<MessagePage> {
    const query = new URLSearchParams({ q, limit: String(limit) });
    if (before !== undefined) query.set('before', before);
    return this.#call(`/search?${query}`);
  }

  markRead(id: string, messageId: string): Promise<void> {
    return this.#call(`/sessions/${enc(id)}/read`, { method: 'POST', body: { message_id: messageId } });
  }

  typing(id: string): Promise<void> {
    return this.#call(`/sessions/${enc(id)}/typing`, { method: 'POST' });
  }

  /**
   * Whether each of `userIds` (1 to 200, HTTP.md) is online, and when they were last seen; users who
   * share no session with the caller are left out of the answer.
   */
  async presence(userIds: readonly string[]): Promise<Presence[]> {
    return (await this.#call<{ users: Presence[] }>(`/presence?user_ids=${userIds.map(enc).join(',')}`)).users;
  }

  async users(prefix: string): Promise<{ id: string; username: string }[]> {
    return (await this.#call<{ users: { id: string; username: string }[] }>(`/users?q=${enc(prefix)}`)).users;
  }
}
