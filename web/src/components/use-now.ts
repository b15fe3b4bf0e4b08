import { useEffect, useState } from 'preact/hooks';

/** The time (ms since 1970), refreshed every `everyMs`: for words like "5 min ago" that age on screen. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
