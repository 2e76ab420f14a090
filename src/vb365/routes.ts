/**
 * The routes of the VB365 REST API per version: each names its `endpoint` label and its path, spelled as
 * the official OpenAPI documents spell it (`/v8/token`, `usedRepositories`): the server ignores case, a
 * reverse proxy in front of it may not.
 */
import type { ApiVersion } from '../config/types.js';

export type Endpoint =
  | 'token'
  | 'version_probe'
  | 'service_instance'
  | 'health'
  | 'license'
  | 'organizations'
  | 'used_repositories'
  | 'backup_repositories'
  | 'object_storage_repositories';

export interface Route {
  readonly endpoint: Endpoint;
  /** Absolute path with query, before any path prefix of the server's URL. */
  readonly path: string;
}

/** A listing: answered as pages linked by `_links.next` or as one plain array, whatever the version says. */
export type ListingRoute = Route;

/**
 * Token and UsedRepositories answers are a few KB (an organization uses a handful of repositories): they get
 * this cap of their own, so a hostile server cannot make each of `poll_concurrency` answers as large as a
 * listing may be. 1 MiB is some 2,500 repositories.
 */
export const SMALL_ANSWER_BYTES = 1024 * 1024;

/** Answers of one object, or of one organization's few repositories. */
const SMALL_ANSWERS: ReadonlySet<Endpoint> = new Set([
  'token',
  'version_probe',
  'service_instance',
  'health',
  'license',
  'used_repositories',
]);

/** The most bytes an answer of `endpoint` may have, and which cap that is. */
export function answerLimit(
  endpoint: Endpoint,
  maxResponseBytes: number,
): { readonly bytes: number; readonly limit: 'max_response_bytes' | 'small_answer' } {
  const small = SMALL_ANSWERS.has(endpoint);
  return small && SMALL_ANSWER_BYTES < maxResponseBytes
    ? { bytes: SMALL_ANSWER_BYTES, limit: 'small_answer' }
    : { bytes: maxResponseBytes, limit: 'max_response_bytes' };
}

/** The most items a VB365 page may hold; the server may still return fewer and link the next page. */
export const PAGE_LIMIT = 10_000;

/**
 * What the exporter asks a BackupRepositories page to hold (v8 pages it). Measured at 10,000 organizations
 * (20,000 repositories): pages of 10,000 are 10 MB answers whose parsed trees outlive the young generation
 * and land in the old one, 250-300 MiB peak RSS; pages of 1,000 (1 MB) die young, about 190 MiB. The
 * listing runs beside the polls, so its 20 pages cost the cycle no time. Organizations keep full pages:
 * the polls wait for that listing, and 10 round trips before them would lengthen every cycle.
 */
export const BACKUP_REPOSITORIES_PAGE = 1_000;

/** The versions `auto` chooses from, best first. */
export const PROBED_VERSIONS: readonly ApiVersion[] = ['v8', 'v7', 'v6'];

/** Organizations and BackupRepositories are documented as pages from v8 on, as plain arrays before (either is read). */
const listingsArePaged = (version: ApiVersion): boolean => version === 'v8';
const pageQuery = (version: ApiVersion, first: '?' | '&', limit = PAGE_LIMIT): string =>
  listingsArePaged(version) ? `${first}offset=0&limit=${limit}` : '';

export const routes = {
  token: (version: ApiVersion): Route => ({ endpoint: 'token', path: `/${version}/token` }),
  /** Answered 401 or 403 without credentials where the version is served, 404 where it is not (API.md). */
  versionProbe: (version: ApiVersion): Route => ({ endpoint: 'version_probe', path: `/${version}/ServiceInstance` }),
  serviceInstance: (version: ApiVersion): Route => ({
    endpoint: 'service_instance',
    path: `/${version}/ServiceInstance`,
  }),
  /** v8 only, anonymous. */
  health: (version: ApiVersion): Route => ({ endpoint: 'health', path: `/${version}/Health` }),
  license: (version: ApiVersion): Route => ({ endpoint: 'license', path: `/${version}/License` }),
  organizations: (version: ApiVersion): ListingRoute => ({
    endpoint: 'organizations',
    path: `/${version}/Organizations?extendedView=false${pageQuery(version, '&')}`,
  }),
  /** Paged in every version's document. */
  usedRepositories: (version: ApiVersion, organizationId: string): ListingRoute => ({
    endpoint: 'used_repositories',
    path: `/${version}/Organizations/${encodeURIComponent(organizationId)}/usedRepositories?offset=0&limit=${PAGE_LIMIT}`,
  }),
  backupRepositories: (version: ApiVersion): ListingRoute => ({
    endpoint: 'backup_repositories',
    path: `/${version}/BackupRepositories${pageQuery(version, '?', BACKUP_REPOSITORIES_PAGE)}`,
  }),
  /** v6 and v7: what a backup repository's `objectStorageId` names (v8 embeds it in the repository). */
  objectStorageRepositories: (version: ApiVersion): ListingRoute => ({
    endpoint: 'object_storage_repositories',
    path: `/${version}/objectstoragerepositories`,
  }),
} as const;
