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
