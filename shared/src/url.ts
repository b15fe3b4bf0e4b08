/** A URL fit for a log line or an error message: the password replaced with `***`. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * A comma-separated list of URLs (RABBITMQ_URL naming a cluster's nodes) fit for a log line: each
 * password replaced with `***`, as {@link redactUrl} does for one.
 */
export function redactUrlList(value: string | readonly string[]): string {
  const items = typeof value === 'string' ? value.split(',') : value;
  return items
    .map((item) => item.trim())
    .filter(Boolean)
    .map(redactUrl)
    .join(',');
}
