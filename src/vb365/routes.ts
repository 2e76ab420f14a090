/** The routes of the VB365 REST API per version: each names its `endpoint` label, its path and how it answers. */
import type { ApiVersion } from '../config/types.js';

export type Endpoint = 'token' | 'organizations' | 'used_repositories' | 'backup_repositories';

export interface Route {
  readonly endpoint: Endpoint;
  /** Absolute path with query, before any path prefix of the server's URL. */
  readonly path: string;
}

export interface ListingRoute extends Route {
  /** Pages linked by `_links.next`, or one plain array. */
  readonly paged: boolean;
}

/**
 * Token and UsedRepositories answers are a few KB (an organization uses a handful of repositories): they get
 * this cap of their own, so a hostile server cannot make each of `poll_concurrency` answers as large as a
 * listing may be. 1 MiB is some 2,500 repositories.
 */
export const SMALL_ANSWER_BYTES = 1024 * 1024;

/** The most bytes an answer of `endpoint` may have, and which cap that is. */
export function answerLimit(
  endpoint: Endpoint,
  maxResponseBytes: number,
): { readonly bytes: number; readonly limit: 'max_response_bytes' | 'small_answer' } {
  const small = endpoint === 'token' || endpoint === 'used_repositories';
  return small && SMALL_ANSWER_BYTES < maxResponseBytes
    ? { bytes: SMALL_ANSWER_BYTES, limit: 'small_answer' }
    : { bytes: maxResponseBytes, limit: 'max_response_bytes' };
}

/** The most items a VB365 page may hold; the server may still return fewer and link the next page. */
export const PAGE_LIMIT = 10_000;

/** Organizations and BackupRepositories come as pages from v8 on, as plain arrays before. */
const listingsArePaged = (version: ApiVersion): boolean => version === 'v8';

export const routes = {
  token: (version: ApiVersion): Route => ({ endpoint: 'token', path: `/${version}/Token` }),
  organizations: (version: ApiVersion): ListingRoute => ({
    endpoint: 'organizations',
    path: `/${version}/Organizations?extendedView=false${listingsArePaged(version) ? `&offset=0&limit=${PAGE_LIMIT}` : ''}`,
    paged: listingsArePaged(version),
  }),
  /** Paged in every version. */
  usedRepositories: (version: ApiVersion, organizationId: string): ListingRoute => ({
    endpoint: 'used_repositories',
    path: `/${version}/Organizations/${encodeURIComponent(organizationId)}/UsedRepositories?offset=0&limit=${PAGE_LIMIT}`,
    paged: true,
  }),
  backupRepositories: (version: ApiVersion): ListingRoute => ({
    endpoint: 'backup_repositories',
    path: `/${version}/BackupRepositories${listingsArePaged(version) ? `?offset=0&limit=${PAGE_LIMIT}` : ''}`,
    paged: listingsArePaged(version),
  }),
} as const;
