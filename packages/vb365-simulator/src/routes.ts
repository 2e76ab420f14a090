// Maps a request path to a route. Matching ignores case, as the real server does.
import type { ApiVersion } from './types.js';

export type RouteMatch =
  | { route: 'token'; version: ApiVersion; method: 'POST' }
  | { route: 'logout'; version: ApiVersion; method: 'POST' }
  | { route: 'organizations'; version: ApiVersion; method: 'GET'; organizationId: string | undefined }
  | { route: 'used_repositories'; version: ApiVersion; method: 'GET'; organizationId: string }
  | { route: 'backup_repositories'; version: ApiVersion; method: 'GET'; repositoryId: string | undefined }
  | { route: 'service_instance'; version: ApiVersion; method: 'GET' }
  | { route: 'licensing_information'; version: ApiVersion; method: 'GET'; organizationId: string }
  | { route: 'backed_up_organizations'; version: ApiVersion; method: 'GET'; repositoryId: string }
  | { route: 'object_storage_repositories'; version: ApiVersion; method: 'GET'; objectStorageId: string | undefined }
  | { route: 'license'; version: ApiVersion; method: 'GET' }
  | { route: 'health'; version: ApiVersion; method: 'GET' }
  /** `/Jobs[/{jobId}]`, and v6/v7 `/Organizations/{organizationId}/Jobs`. */
  | { route: 'jobs'; version: ApiVersion; method: 'GET'; jobId: string | undefined; organizationId: string | undefined }
  | { route: 'copy_jobs'; version: ApiVersion; method: 'GET'; copyJobId: string | undefined }
  /** `/JobSessions`, and v6 `/Jobs/{jobId}/JobSessions`. */
  | { route: 'job_sessions'; version: ApiVersion; method: 'GET'; jobId: string | undefined }
  | { route: 'proxies'; version: ApiVersion; method: 'GET'; proxyId: string | undefined }
  | { route: 'restore_points'; version: ApiVersion; method: 'GET' }
  /** v7/v8 `/Organizations/{organizationId}/SyncState`; v8 also `/Organizations/SyncState` (every organization). */
  | { route: 'organization_sync_state'; version: ApiVersion; method: 'GET'; organizationId: string | undefined }
  | { route: 'unknown' };

const UNKNOWN: RouteMatch = { route: 'unknown' };

/** Resolves `pathname` (no query) for the served `versions`; an unserved version is 'unknown' (404). */
export function matchRoute(pathname: string, versions: readonly ApiVersion[]): RouteMatch {
  const segments = pathname.split('/').filter((s) => s !== '');
  const [first, ...rest] = segments.map(decodeSegment);
  const version = versions.find((v) => v === first?.toLowerCase());
  if (version === undefined) return UNKNOWN;
  const [resource, id, sub, ...extra] = rest;
  if (extra.length > 0 || resource === undefined) return UNKNOWN;
  const name = resource.toLowerCase();
  const subName = sub?.toLowerCase();

  if (name === 'token') {
    if (id === undefined) return { route: 'token', version, method: 'POST' };
    // No logout in v6.
    if (id.toLowerCase() === 'logout' && sub === undefined && version !== 'v6') {
      return { route: 'logout', version, method: 'POST' };
    }
    return UNKNOWN;
  }
  if (name === 'organizations') {
    // v8 lists every organization's sync state under a name an organization ID can never be.
    if (version === 'v8' && id?.toLowerCase() === 'syncstate' && sub === undefined) {
      return { route: 'organization_sync_state', version, method: 'GET', organizationId: undefined };
    }
    if (sub === undefined) return { route: 'organizations', version, method: 'GET', organizationId: id };
    if (id !== undefined && subName === 'usedrepositories') {
      return { route: 'used_repositories', version, method: 'GET', organizationId: id };
    }
    if (id !== undefined && subName === 'licensinginformation') {
      return { route: 'licensing_information', version, method: 'GET', organizationId: id };
    }
    // v8 filters /Jobs by organizationId instead.
    if (id !== undefined && subName === 'jobs' && version !== 'v8') {
      return { route: 'jobs', version, method: 'GET', jobId: undefined, organizationId: id };
    }
    if (id !== undefined && subName === 'syncstate' && version !== 'v6') {
      return { route: 'organization_sync_state', version, method: 'GET', organizationId: id };
    }
    return UNKNOWN;
  }
  if (name === 'jobs') {
    if (sub === undefined) return { route: 'jobs', version, method: 'GET', jobId: id, organizationId: undefined };
    // v7/v8 filter /JobSessions by jobId instead.
    if (id !== undefined && subName === 'jobsessions' && version === 'v6') {
      return { route: 'job_sessions', version, method: 'GET', jobId: id };
    }
    return UNKNOWN;
  }
  if (name === 'copyjobs' && sub === undefined) return { route: 'copy_jobs', version, method: 'GET', copyJobId: id };
  if (name === 'proxies' && sub === undefined) return { route: 'proxies', version, method: 'GET', proxyId: id };
  if (name === 'backuprepositories') {
    if (sub === undefined) return { route: 'backup_repositories', version, method: 'GET', repositoryId: id };
    if (id !== undefined && subName === 'backeduporganizations') {
      return { route: 'backed_up_organizations', version, method: 'GET', repositoryId: id };
    }
    return UNKNOWN;
  }
  // v8 embeds object storage in the backup repositories and has no such resource.
  if (name === 'objectstoragerepositories' && sub === undefined && version !== 'v8') {
    return { route: 'object_storage_repositories', version, method: 'GET', objectStorageId: id };
  }
  if (id !== undefined) return UNKNOWN;
  if (name === 'serviceinstance') return { route: 'service_instance', version, method: 'GET' };
  if (name === 'license') return { route: 'license', version, method: 'GET' };
  if (name === 'health' && version === 'v8') return { route: 'health', version, method: 'GET' };
  if (name === 'jobsessions') return { route: 'job_sessions', version, method: 'GET', jobId: undefined };
  if (name === 'restorepoints') return { route: 'restore_points', version, method: 'GET' };
  return UNKNOWN;
}

/** The organization a used_repositories request is about (for fault rules). */
export function organizationOf(match: RouteMatch): string | undefined {
  return match.route === 'used_repositories' ? match.organizationId : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes simply fail to match anything
  }
}
