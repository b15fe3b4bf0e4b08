// A search result's text, cut around the first word that matched, with the matching words marked.

/** A piece of a snippet; `match`: one of the query's words. */
export interface SnippetPart {
  readonly text: string;
  readonly match: boolean;
}

/** Characters of context kept before the first match of a long text. */
const LEAD = 40;

/** Lower case without accents, for comparing as the server's search does (case- and accent-insensitive). */
const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The query's words, folded: runs of letters and digits (operators and quotes are not words). */
function wordsOf(query: string): string[] {
  return [...new Set(fold(query).match(/[\p{L}\p{N}]+/gu) ?? [])];
}

/**
 * `content` as parts to show, at most about `max` characters: its words that are words of `query`
 * marked (whole words, as the server's search matches them: no stemming, no prefixes), and a long
 * text cut to start a little before the first of them, with `…` where cut.
 */
export function snippetOf(content: string, query: string, max = 160): SnippetPart[] {
  const words = new Set(wordsOf(query));
  // Runs of letters and digits, and what is between them, in order; code points, so emoji stay whole.
  const runs = (content.match(/[\p{L}\p{M}\p{N}]+|[^\p{L}\p{M}\p{N}]+/gu) ?? []).map((text) => ({
    chars: [...text],
    match: words.has(fold(text)),
  }));
  const chars = runs.flatMap((run) => run.chars);
  const marked = runs.flatMap((run) => run.chars.map(() => run.match));
  const first = marked.indexOf(true);
  const from = chars.length <= max || first < LEAD ? 0 : first - LEAD;
  const to = Math.min(chars.length, from + max);
  const parts: SnippetPart[] = [];
  const push = (text: string, match: boolean) => {
    const last = parts.at(-1);
    if (last !== undefined && last.match === match) parts[parts.length - 1] = { text: last.text + text, match };
    else parts.push({ text, match });
  };
  if (from > 0) push('…', false);
  for (let i = from; i < to; i += 1) push(chars[i] ?? '', marked[i] ?? false);
  if (to < chars.length) push('…', false);
  return parts;
}
