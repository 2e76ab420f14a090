/**
 * Validation of VB365 answers as a whole: listings item by item (each fact module gives the rules of its
 * items, see fields.ts), pages, and the token answer. Nothing here throws on an item; an answer whose
 * overall shape is wrong throws the catalogue's invalid_answer error.
 */
import { Vb365Error } from './errors.js';
import { isObject, kindOf, type ItemResult } from './fields.js';
import type { Listing, RejectedItem } from './types.js';

/** How the items of one kind of listing are read: each validated, and the ID that may not repeat. */
export interface ItemRules<T> {
  readonly parse: (item: unknown) => ItemResult<T>;
  readonly idOf: (value: T) => string;
}

export interface Page {
  readonly results: readonly unknown[];
  readonly nextHref: string | undefined;
}

/** Rejected items whose reasons are kept for the log line; the rest are only counted. */
const REASONS_KEPT = 5;

/**
 * Validates every item of a listing, rejecting failures and repeats of an ID already seen in it, a page at
 * a time, so a page's raw JSON can go as soon as it is read: a listing of two 10,000-item pages otherwise
 * holds both pages' parsed answers (tens of MB) until the last arrives. Indexes and repeats count across
 * the whole listing.
 */
export class ItemValidator<T> {
  private readonly accepted: T[] = [];
  private readonly rejected: RejectedItem[] = [];
  private rejectedCount = 0;
  private readonly seen = new Set<string>();
  private index = 0;

  constructor(private readonly rules: ItemRules<T>) {}

  add(items: readonly unknown[]): void {
    const { parse, idOf } = this.rules;
    for (const item of items) {
      const index = this.index++;
      const result = parse(item);
      if (!result.ok) {
        this.reject(index, result.reason);
        continue;
      }
      const id = idOf(result.value);
      if (this.seen.has(id)) {
        this.reject(index, `${id} appears more than once in the answer`);
      } else {
        this.seen.add(id);
        this.accepted.push(result.value);
      }
    }
  }

  listing(): Listing<T> {
    return { items: this.accepted, rejectedCount: this.rejectedCount, rejected: this.rejected };
  }

  private reject(index: number, reason: string): void {
    this.rejectedCount++;
    if (this.rejected.length < REASONS_KEPT) this.rejected.push({ index, reason });
  }
}

/** A VB365 page: `{ offset, limit, results: [...], _links: { next: { href } } }`. */
export function parsePage(json: unknown): Page {
  if (!isObject(json)) throw Vb365Error.invalidAnswer(`expected a page object, got ${kindOf(json)}`);
  const results = json['results'];
  if (!Array.isArray(results))
    throw Vb365Error.invalidAnswer(`expected "results" to be an array, got ${kindOf(results)}`);
  const links = json['_links'];
  const next = isObject(links) && isObject(links['next']) ? links['next']['href'] : undefined;
  if (next !== undefined && next !== null && typeof next !== 'string') {
    throw Vb365Error.invalidAnswer(`expected "_links.next.href" to be a string, got ${kindOf(next)}`);
  }
  return { results, nextHref: typeof next === 'string' && next !== '' ? next : undefined };
}

export interface TokenAnswer {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly expiresInSeconds: number;
}

/**
 * A token that lives less than this would mean a login for nearly every request (VB365 issues tokens for
 * an hour): such an answer is refused like any invalid token answer, so login back-off bounds the logins.
 */
export const SHORTEST_TOKEN_LIFETIME_SECONDS = 30;

/** An OAuth token answer: `{ access_token, refresh_token, expires_in, ... }`. */
export function parseTokenAnswer(json: unknown): TokenAnswer {
  const body = isObject(json) ? json : {};
  const accessToken = body['access_token'];
  const refreshToken = body['refresh_token'];
  const expiresIn = body['expires_in'];
  if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw Vb365Error.invalidAnswer('the token answer lacks access_token or a positive expires_in');
  }
  if (expiresIn < SHORTEST_TOKEN_LIFETIME_SECONDS) {
    throw Vb365Error.invalidAnswer(
      `the token answer's expires_in (${expiresIn} s) is shorter than the ${SHORTEST_TOKEN_LIFETIME_SECONDS} s a token must live to be used`,
    );
  }
  return {
    accessToken,
    refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : undefined,
    expiresInSeconds: expiresIn,
  };
}
