/** Paths of the VB365 REST API per version, and the route names used as the `endpoint` label. */
import type { ApiVersion } from '../config/types.js';

export type Endpoint = 'token' | 'organizations' | 'used_repositories' | 'backup_repositories';

/** The most items a VB365 page may hold; the server may still return fewer and link the next page. */
export const PAGE_LIMIT = 10_000;

export const routes = {
  token: (version: ApiVersion): string => `/${version}/Token`,
  organizations: (version: ApiVersion): string =>
    // v8 pages the listing; v6/v7 answer a plain array and ignore offset/limit.
    `/${version}/Organizations?extendedView=false${version === 'v8' ? `&offset=0&limit=${PAGE_LIMIT}` : ''}`,
  usedRepositories: (version: ApiVersion, organizationId: string): string =>
    `/${version}/Organizations/${encodeURIComponent(organizationId)}/UsedRepositories?offset=0&limit=${PAGE_LIMIT}`,
  backupRepositories: (version: ApiVersion): string =>
    `/${version}/BackupRepositories${version === 'v8' ? `?offset=0&limit=${PAGE_LIMIT}` : ''}`,
} as const;
