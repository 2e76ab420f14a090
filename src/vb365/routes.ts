/** Paths of the VB365 REST API per version, and the route names used as the `endpoint` label. */
import type { ApiVersion } from '../config/types.js';

export type Endpoint = 'token' | 'organizations' | 'used_repositories' | 'backup_repositories';

/** The most items a VB365 page may hold; the server may still return fewer and link the next page. */
export const PAGE_LIMIT = 10_000;

/** Organizations and BackupRepositories come as pages from v8 on, as plain arrays before. */
export function listingsArePaged(version: ApiVersion): boolean {
  return version === 'v8';
}

export const routes = {
  token: (version: ApiVersion): string => `/${version}/Token`,
  organizations: (version: ApiVersion): string =>
    `/${version}/Organizations?extendedView=false${listingsArePaged(version) ? `&offset=0&limit=${PAGE_LIMIT}` : ''}`,
  usedRepositories: (version: ApiVersion, organizationId: string): string =>
    `/${version}/Organizations/${encodeURIComponent(organizationId)}/UsedRepositories?offset=0&limit=${PAGE_LIMIT}`,
  backupRepositories: (version: ApiVersion): string =>
    `/${version}/BackupRepositories${listingsArePaged(version) ? `?offset=0&limit=${PAGE_LIMIT}` : ''}`,
} as const;
