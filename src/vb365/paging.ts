/**
 * The rules of a VB365 listing (pages, or one plain array): follow `_links.next` until it is absent (a server may return fewer
 * items than asked, so the link, not the count, says when a listing ends), and refuse a link that repeats
 * (a loop), more than MAX_PAGES pages or more than MAX_LISTING_ITEMS items rather than follow them forever.
 * The caller fetches each page; this only reads them, so a failed request is never taken for a bad answer.
 */
import { Vb365Error } from './errors.js';
import { parsePage } from './parse.js';
import { PAGE_LIMIT } from './routes.js';

const MAX_PAGES = 1_000;

/**
 * The most items one listing may hold (ten full pages). Far above any real listing (organizations of a
 * server, repositories of an organization), and it bounds the memory one bad answer can take.
 */
const MAX_LISTING_ITEMS = 10 * PAGE_LIMIT;

export class PagedListing {
  private itemCount = 0;
  private readonly visited = new Set<string>();
  private next: string | undefined;

  constructor(
    firstPath: string,
    private readonly resolveNext: (href: string) => string,
  ) {
    this.next = this.follow(firstPath);
  }

  /** The path of the page to fetch next, or undefined once the last page has been read. */
  get nextPath(): string | undefined {
    return this.next;
  }

  /**
   * Reads the answer for `nextPath` and returns its items: a page object, or a plain array, which is a whole
   * listing in one page (old documents show listings as arrays, v8 made some pages: either may come from
   * any version).
   */
  read(json: unknown): readonly unknown[] {
    const whole = Array.isArray(json);
    const page = whole ? { results: json, nextHref: undefined } : parsePage(json);
    // A plain array is the whole listing, bounded by MAX_LISTING_ITEMS below; a page by what a page may hold.
    if (!whole && page.results.length > PAGE_LIMIT)
      throw Vb365Error.invalidAnswer(
        `a page holds ${page.results.length} items, more than the ${PAGE_LIMIT} a page may hold`,
      );
    if (this.itemCount + page.results.length > MAX_LISTING_ITEMS)
      throw Vb365Error.invalidAnswer(`the listing has more than ${MAX_LISTING_ITEMS} items`);
    this.itemCount += page.results.length;
    this.next = page.nextHref === undefined ? undefined : this.follow(this.resolveNext(page.nextHref));
    return page.results;
  }

  private follow(path: string): string {
    // The query is left out of messages: a proxy may have put a token in it.
    if (this.visited.has(path.toLowerCase()))
      throw Vb365Error.invalidAnswer(`the next link loops back to ${path.split('?', 1)[0] ?? ''}`);
    if (this.visited.size >= MAX_PAGES) throw Vb365Error.invalidAnswer(`the listing has more than ${MAX_PAGES} pages`);
    this.visited.add(path.toLowerCase());
    return path;
  }
}
