/**
 * What a request to the VB365 REST API is: its `endpoint` label and its path, spelled as the official
 * OpenAPI documents spell it (`/v8/token`, `usedRepositories`): the server ignores case, a reverse proxy in
 * front of it may not. The routes of the machinery (token, version probe) live here; each fact module
 * (src/facts/) builds its own.
 */
import type { ApiVersion } from '../config/types.js';

/** The `endpoint` label of the exporter's request metrics: snake_case, one per kind of request. */
export type Endpoint = string;

export interface Route {
  readonly endpoint: Endpoint;
  /** Absolute path with query, before any path prefix of the server's URL. */
  readonly path: string;
  /**
   * An answer of one object, or of one organization's few repositories: capped at SMALL_ANSWER_BYTES, so a
   * hostile server cannot make each of `poll_concurrency` answers as large as a listing may be.
   */
  readonly small?: boolean;
  /**
   * v6/v7 answer it as one plain array the exporter cannot ask in pages (Jobs, CopyJobs, Proxies): capped by
   * the answer budget, not max_response_bytes, so 20,000 jobs (~18 MB) are read whole.
   */
  readonly unpaged?: boolean;
  /** A 404 here means the item is gone (an organization deleted), not that the API version went away. */
  readonly notFoundIsItemGone?: boolean;
}

/** A route of the version the client reads with now: the version may change while the exporter runs. */
export type VersionedRoute = (version: ApiVersion) => Route;

/** 1 MiB is some 2,500 repositories of one organization, or any single object the server describes. */
export const SMALL_ANSWER_BYTES = 1024 * 1024;

/** Which cap an answer passed, as Vb365Error.tooLarge names it. */
export type AnswerCap = 'max_response_bytes' | 'small_answer' | 'answer_budget';

/** The most bytes an answer may have, and which cap that is. */
export interface AnswerLimit {
  readonly bytes: number;
  readonly limit: AnswerCap;
}

/**
 * The cap of an answer at a route of this kind. `answerBudgetBytes`: the answer budget's limit now (a reload
 * may change it); an unpaged listing can only be refused whole, so it may take the budget all answers in
 * flight share (still checked against what the others hold) rather than fail at max_response_bytes.
 */
export function answerLimit(
  kind: { readonly small?: boolean | undefined; readonly unpaged?: boolean | undefined },
  caps: { readonly maxResponseBytes: number; readonly answerBudgetBytes: number },
): AnswerLimit {
  const { maxResponseBytes, answerBudgetBytes } = caps;
  if (kind.small === true && SMALL_ANSWER_BYTES < maxResponseBytes)
    return { bytes: SMALL_ANSWER_BYTES, limit: 'small_answer' };
  if (kind.unpaged === true && answerBudgetBytes > maxResponseBytes)
    return { bytes: answerBudgetBytes, limit: 'answer_budget' };
  return { bytes: maxResponseBytes, limit: 'max_response_bytes' };
}

/** The most items a VB365 page may hold; the server may still return fewer and link the next page. */
export const PAGE_LIMIT = 10_000;

/** The versions `auto` chooses from, best first. */
export const PROBED_VERSIONS: readonly ApiVersion[] = ['v8', 'v7', 'v6'];

/** Whether `version` answers the listings that have no pages in v6/v7 (Jobs, CopyJobs, Proxies) as one plain array. */
export function unpagedIn(version: ApiVersion): boolean {
  return version !== 'v8';
}

/**
 * `offset=0&limit=N` where the version documents a listing as pages (v8 for Organizations, BackupRepositories,
 * Jobs...), nothing where it documents a plain array (v6/v7): either shape is read whatever was asked.
 */
export function pageQueryFrom(version: ApiVersion, first: '?' | '&', limit = PAGE_LIMIT): string {
  return version === 'v8' ? `${first}offset=0&limit=${limit}` : '';
}

export const routes = {
  token: (version: ApiVersion): Route => ({ endpoint: 'token', path: `/${version}/token`, small: true }),
  /** Answered 401 or 403 without credentials where the version is served, 404 where it is not (as the VB365 server answers it). */
  versionProbe: (version: ApiVersion): Route => ({
    endpoint: 'version_probe',
    path: `/${version}/ServiceInstance`,
    small: true,
  }),
} as const;
