// The client's own addresses: `/` for the session list, `/s/<session id>` for a conversation. nginx
// and Vite's preview answer any path with index.html, so a reload lands where the user was.

const SESSION_PATH = /^\/s\/([0-9a-fA-F-]{36})\/?$/;

/** The session a path shows, if any. */
export function sessionIdOfPath(path: string): string | undefined {
  return SESSION_PATH.exec(path)?.[1]?.toLowerCase();
}

/** The path that shows a session, or the list. */
export function pathOfSession(id: string | undefined): string {
  return id === undefined ? '/' : `/s/${id}`;
}
