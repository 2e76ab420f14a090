/**
 * Follows VB365 `_links.next` until it is absent: a server may return fewer items than asked,
 * so the link, not the count, says when a listing ends. A link that repeats (a loop) or a listing
 * longer than MAX_PAGES is refused rather than followed forever.
 */
import { InvalidAnswerError, parsePage } from './parse.js';
import { PAGE_LIMIT } from './routes.js';

export const MAX_PAGES = 1_000;

/**
 * The most items one listing may hold (ten full pages). Far above any real listing (organizations of a
 * server, repositories of an organization), and it bounds the memory one bad answer can take.
 */
export const MAX_LISTING_ITEMS = 10 * PAGE_LIMIT;

export async function collectPages(
  firstPath: string,
  fetchJson: (path: string) => Promise<unknown>,
  resolveNext: (href: string) => string,
): Promise<unknown[]> {
  const results: unknown[] = [];
  const visited = new Set<string>();
  let path: string | undefined = firstPath;
  while (path !== undefined) {
    // The query is left out of messages: a proxy may have put a token in it.
    if (visited.has(path.toLowerCase()))
      throw new InvalidAnswerError(`the next link loops back to ${path.split('?', 1)[0] ?? ''}`);
    if (visited.size >= MAX_PAGES) throw new InvalidAnswerError(`the listing has more than ${MAX_PAGES} pages`);
    visited.add(path.toLowerCase());
    const page = parsePage(await fetchJson(path));
    if (page.results.length > PAGE_LIMIT)
      throw new InvalidAnswerError(
        `a page holds ${page.results.length} items, more than the ${PAGE_LIMIT} a page may hold`,
      );
    if (results.length + page.results.length > MAX_LISTING_ITEMS)
      throw new InvalidAnswerError(`the listing has more than ${MAX_LISTING_ITEMS} items`);
    // Not push(...results): spreading a large array overflows the call stack.
    for (const item of page.results) results.push(item);
    path = page.nextHref === undefined ? undefined : resolveNext(page.nextHref);
  }
  return results;
}
