/**
 * Runs `task` holding the browser-wide lock `name` (Web Locks: one holder at a time across every
 * tab of this origin), so two tabs never do it at once. Browsers offer Web Locks only on secure
 * origins (https, localhost); elsewhere the task runs unlocked, which docs/web.md points out.
 */
export async function withWebLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (locks === undefined) return task();
  return locks.request(name, { mode: 'exclusive' }, task);
}
