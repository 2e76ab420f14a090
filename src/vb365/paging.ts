/**
 * Follows VB365 `_links.next` until it is absent: a server may return fewer items than asked,
 * so the link, not the count, says when a listing ends. A link that repeats (a loop) or a listing
 * longer than MAX_PAGES is refused rather than followed forever.
 */
import { InvalidAnswerError, parsePage } from './parse.js';

export const MAX_PAGES = 1_000;

export async function collectPages(
  firstPath: string,
  fetchJson: (path: string) => Promise<unknown>,
  resolveNext: (href: string) => string,
): Promise<unknown[]> {
  const results: unknown[] = [];
  const visited = new Set<string>();
  let path: string | undefined = firstPath;
  while (path !== undefined) {
    if (visited.has(path.toLowerCase())) throw new InvalidAnswerError(`the next link loops back to ${path}`);
    if (visited.size >= MAX_PAGES) throw new InvalidAnswerError(`the listing has more than ${MAX_PAGES} pages`);
    visited.add(path.toLowerCase());
    const page = parsePage(await fetchJson(path));
    results.push(...page.results);
    path = page.nextHref === undefined ? undefined : resolveNext(page.nextHref);
  }
  return results;
}
