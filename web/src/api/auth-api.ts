import { requestJson } from './http.ts';
import type { TokenPair, User } from './types.ts';

/** The auth service's routes the client uses (HTTP.md). */
export const authApi = {
  register: (username: string, password: string) =>
    requestJson<{ user: User }>('/auth/register', { method: 'POST', body: { username, password } }),
  login: (username: string, password: string) =>
    requestJson<TokenPair>('/auth/login', { method: 'POST', body: { username, password } }),
  /** Spends `refreshToken`: presenting it again would revoke every token of its family. */
  refresh: (refreshToken: string) =>
    requestJson<TokenPair>('/auth/refresh', { method: 'POST', body: { refresh_token: refreshToken } }),
  logout: (refreshToken: string) =>
    requestJson<undefined>('/auth/logout', { method: 'POST', body: { refresh_token: refreshToken } }),
  /** Ends every login of the access token's user: their tokens are refused and their sockets closed (4001). */
  logoutAll: (accessToken: string) =>
    requestJson<undefined>('/auth/logout-all', { method: 'POST', token: accessToken }),
};
