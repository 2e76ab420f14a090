/**
 * The problems VB365 reports about itself, for the status page, as the alerts of alerts/ see them: the
 * server's own health check failing, repositories out of order, out of sync or outdated, object storage
 * near its size limit, and a licence ending or used up.
 */
import { objectStorageOf } from '../../store/object-storage.js';
import type { License } from '../../vb365/types.js';
import type { ServerState } from '../../store/types.js';
import { formatBytes } from './format.js';
import type { Problem } from './problems.js';

/** As VB365ObjectStorageNearLimit. */
export const OBJECT_STORAGE_LIMIT_RATIO = 0.9;
/** As VB365LicenseExpiring: warning within 30 days, critical within 7. */
export const LICENSE_WARNING_DAYS = 30;
export const LICENSE_CRITICAL_DAYS = 7;
const DAY_MS = 86_400_000;

/** Whole days until the licence ends (negative once it has), or undefined when the server gives no date. */
export function licenseDaysLeft(license: License, nowMs: number): number | undefined {
  return license.expiresMs === null ? undefined : Math.floor((license.expiresMs - nowMs) / DAY_MS);
}

type Fields = Pick<Problem, 'kind' | 'severity' | 'what' | 'words'>;

function problem(server: ServerState, fields: Fields, sinceText = 'as last read'): Problem {
  return { ...fields, server: server.name, sinceMs: undefined, sinceText, sample: [], organizations: 0 };
}

export function serverUnhealthy(server: ServerState): Problem[] {
  const report = server.health;
  if (report === undefined || report.healthy) return [];
  const failing = report.components.filter((component) => !component.healthy).map((component) => component.name);
  return [
    problem(server, {
      kind: 'server-unhealthy',
      severity: 'critical',
      what: 'the server (its own health check)',
      words: `Unhealthy${failing.length === 0 ? '' : `: ${failing.join(', ')}`}`,
    }),
  ];
}

export function repositoryStates(server: ServerState): Problem[] {
  const problems: Problem[] = [];
  for (const repository of server.backupRepositories.values()) {
    const what = repository.name === '' ? repository.id : repository.name;
    if (repository.isOutOfOrder === true)
      problems.push(
        problem(server, {
          kind: 'repository-out-of-order',
          severity: 'critical',
          what,
          words: `out of order${repository.outOfOrderReason === '' ? '' : `: ${repository.outOfOrderReason}`} (isOutOfOrder)`,
        }),
      );
    if (repository.isOutOfSync === true)
      problems.push(
        problem(server, {
          kind: 'repository-out-of-sync',
          severity: 'warning',
          what,
          words: 'out of sync with its object storage (isOutOfSync)',
        }),
      );
    if (repository.isOutdated === true)
      problems.push(
        problem(server, {
          kind: 'repository-outdated',
          severity: 'warning',
          what,
          words: "its format is older than the server's (isOutdated)",
        }),
      );
  }
  return problems;
}

export function objectStorageNearLimit(server: ServerState): Problem[] {
  const problems: Problem[] = [];
  for (const repository of server.backupRepositories.values()) {
    const storage = objectStorageOf(server, repository);
    if (storage?.sizeLimitBytes == null || storage.usedSpaceBytes === null || storage.sizeLimitBytes <= 0) continue;
    const ratio = storage.usedSpaceBytes / storage.sizeLimitBytes;
    if (ratio <= OBJECT_STORAGE_LIMIT_RATIO) continue;
    problems.push(
      problem(server, {
        kind: 'object-storage-near-limit',
        severity: 'warning',
        what: repository.name === '' ? repository.id : repository.name,
        words: `${(ratio * 100).toFixed(1)} % of the size limit used: ${formatBytes(storage.usedSpaceBytes)} of ${formatBytes(storage.sizeLimitBytes)}`,
      }),
    );
  }
  return problems;
}

export function licenseProblems(server: ServerState, nowMs: number): Problem[] {
  const license = server.license;
  if (license === undefined) return [];
  const problems: Problem[] = [];
  const daysLeft = licenseDaysLeft(license, nowMs);
  if (license.expiresMs !== null && daysLeft !== undefined && daysLeft < LICENSE_WARNING_DAYS) {
    problems.push(
      problem(server, {
        kind: 'license-expiring',
        severity: daysLeft < LICENSE_CRITICAL_DAYS ? 'critical' : 'warning',
        what: `the licence${license.type === '' ? '' : ` (${license.type})`}`,
        words:
          license.expiresMs <= nowMs
            ? `expired on ${new Date(license.expiresMs).toISOString().slice(0, 10)}`
            : `expires in ${daysLeft} d, on ${new Date(license.expiresMs).toISOString().slice(0, 10)}`,
      }),
    );
  }
  const { usedUsers, totalUsers } = license;
  if (usedUsers !== null && totalUsers !== null && totalUsers > 0 && usedUsers >= totalUsers)
    problems.push(
      problem(server, {
        kind: 'license-users-exhausted',
        severity: 'warning',
        what: 'the licence',
        words: `${usedUsers} of ${totalUsers} licensed users used`,
      }),
    );
  return problems;
}
