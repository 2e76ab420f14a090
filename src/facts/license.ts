/**
 * The licence: `GET /{v}/License` once a cycle. Its status, type and package, users, expiry and grace
 * period; problems when it ends within 30 days (critical within 7) or every licensed user is used.
 */
import { escapeHtml, timeElement } from '../http/status/format.js';
import { label } from '../metrics/label-value.js';
import { Vb365Error } from '../vb365/errors.js';
import { isObject, type Json } from '../vb365/fields.js';
import type { ApiVersion } from '../config/types.js';
import type { Route } from '../vb365/routes.js';
import type { CycleState, Fact, Family, Problem } from './fact.js';
import { keptOnFailure } from './reading.js';
import { seconds } from './samples.js';
import { CACHED, serverProblem } from './wording.js';

/** `GET /{v}/License`; a figure the server does not report is null. */
export interface License {
  readonly status: string;
  readonly type: string;
  readonly package: string;
  readonly totalUsers: number | null;
  readonly usedUsers: number | null;
  readonly newUsers: number | null;
  readonly expiresMs: number | null;
  readonly gracePeriodExpiresMs: number | null;
}

export interface LicenseSlice {
  readonly license: License | undefined;
}

type View = CycleState & LicenseSlice;

/** As VB365LicenseExpiring: warning within 30 days, critical within 7. */
const LICENSE_WARNING_DAYS = 30;
const LICENSE_CRITICAL_DAYS = 7;
const DAY_MS = 86_400_000;

const licenseRoute = (version: ApiVersion): Route => ({
  endpoint: 'license',
  path: `/${version}/License`,
  small: true,
});

/** v7/v8 `licenseExpires`, v6 `expirationDate`; numbers are users. */
export function parseLicense(json: unknown): License {
  if (!isObject(json)) throw Vb365Error.invalidAnswer('expected the License answer to be an object');
  return {
    status: optionalText(json, 'status'),
    type: optionalText(json, 'type'),
    package: optionalText(json, 'package'),
    totalUsers: count(json, 'totalNumber'),
    usedUsers: count(json, 'usedNumber'),
    newUsers: count(json, 'newNumber'),
    expiresMs: date(json, json['licenseExpires'] === undefined ? 'expirationDate' : 'licenseExpires'),
    gracePeriodExpiresMs: date(json, 'gracePeriodExpires'),
  };
}

/** Whole days until the licence ends (negative once it has), or undefined when the server gives no date. */
function licenseDaysLeft(license: License, nowMs: number): number | undefined {
  return license.expiresMs === null ? undefined : Math.floor((license.expiresMs - nowMs) / DAY_MS);
}

/**
 * v6 does not report the licence's package: the one last read (with v7/v8) is kept, so that a downgrade
 * does not change the labels of veeam_vb365_license_info.
 */
function nextLicense(read: License | undefined, previous: License | undefined): License | undefined {
  if (read === undefined) return previous;
  return read.package === '' && previous !== undefined ? { ...read, package: previous.package } : read;
}

const fromLicense =
  (value: (license: License) => number | null) =>
  ({ server }: { readonly server: View }, emit: (value: number | null) => void): void => {
    if (server.license !== undefined) emit(value(server.license));
  };

const families: readonly Family<View>[] = [
  {
    name: 'veeam_vb365_license_info',
    help: `The installed licence's status (Valid, Expired), type and package; always 1. ${CACHED}`,
    samples: ({ server }, emit) => {
      const { license } = server;
      if (license !== undefined)
        emit(
          1,
          undefined,
          undefined,
          `${label('status', license.status)}${label('type', license.type)}${label('package', license.package)}`,
        );
    },
  },
  {
    name: 'veeam_vb365_license_used_users',
    help: `Users the licence is used by (usedNumber). ${CACHED}`,
    samples: fromLicense((license) => license.usedUsers),
  },
  {
    name: 'veeam_vb365_license_total_users',
    help: `Users the licence covers (totalNumber). ${CACHED}`,
    samples: fromLicense((license) => license.totalUsers),
  },
  {
    name: 'veeam_vb365_license_new_users',
    help: `Users newly licensed this month (newNumber). ${CACHED}`,
    samples: fromLicense((license) => license.newUsers),
  },
  {
    name: 'veeam_vb365_license_expiry_timestamp_seconds',
    help: `Unix time the licence expires (licenseExpires; v6 expirationDate). ${CACHED}`,
    samples: fromLicense((license) => seconds(license.expiresMs)),
  },
  {
    name: 'veeam_vb365_license_grace_period_expiry_timestamp_seconds',
    help: `Unix time the licence's grace period ends (gracePeriodExpires; v7 and v8). ${CACHED}`,
    samples: fromLicense((license) => seconds(license.gracePeriodExpiresMs)),
  },
];

function problems(server: View, { nowMs }: { readonly nowMs: number }): Problem[] {
  const { license } = server;
  if (license === undefined) return [];
  const found: Problem[] = [];
  const daysLeft = licenseDaysLeft(license, nowMs);
  if (license.expiresMs !== null && daysLeft !== undefined && daysLeft < LICENSE_WARNING_DAYS) {
    const day = new Date(license.expiresMs).toISOString().slice(0, 10);
    found.push(
      serverProblem(server, {
        kind: 'license-expiring',
        severity: daysLeft < LICENSE_CRITICAL_DAYS ? 'critical' : 'warning',
        what: `the licence${license.type === '' ? '' : ` (${license.type})`}`,
        words: license.expiresMs <= nowMs ? `expired on ${day}` : `expires in ${daysLeft} d, on ${day}`,
      }),
    );
  }
  if (usersExhausted(license))
    found.push(
      serverProblem(server, {
        kind: 'license-users-exhausted',
        severity: 'warning',
        what: 'the licence',
        words: `${license.usedUsers} of ${license.totalUsers} licensed users used`,
      }),
    );
  return found;
}

function usersExhausted(license: License): boolean {
  const { usedUsers, totalUsers } = license;
  return usedUsers !== null && totalUsers !== null && totalUsers > 0 && usedUsers >= totalUsers;
}

/** The licence cell of the status page: flagged as the warning alert and the problem rows flag it. */
function licenseCell(server: View, nowMs: number): string {
  const { license } = server;
  if (license === undefined) return 'not known';
  const expired = license.status === 'Expired' || (license.expiresMs !== null && license.expiresMs <= nowMs);
  const ending = (licenseDaysLeft(license, nowMs) ?? Number.POSITIVE_INFINITY) < LICENSE_WARNING_DAYS;
  const badge = expired
    ? '<span class="badge critical">expired</span>'
    : ending
      ? '<span class="badge warning">expires soon</span>'
      : `<span class="badge ok">${escapeHtml(license.status === '' ? 'valid' : license.status.toLowerCase())}</span>`;
  const kind = [license.type, license.package].filter((part) => part !== '').join(', ');
  const users =
    license.usedUsers === null
      ? ''
      : `, ${license.usedUsers}${license.totalUsers === null ? '' : ` of ${license.totalUsers}`} users`;
  const full = usersExhausted(license) ? ' <span class="badge warning">all users used</span>' : '';
  const expires =
    license.expiresMs === null ? '' : `, ${expired ? 'expired' : 'expires'} ${timeElement(license.expiresMs, nowMs)}`;
  return `${badge} ${escapeHtml(kind)}${users}${full}${expires}`;
}

export const licenseFact: Fact<View, LicenseSlice, License | undefined> = {
  name: 'license',
  initial: { license: undefined },
  read: (context) =>
    keptOnFailure(context, 'licence', () => context.client.object(licenseRoute, parseLicense, context.signal)),
  next: (previous, read) => ({ license: nextLicense(read, previous.license) }),
  families,
  problemKinds: [
    { kind: 'license-expiring', label: 'Licence ending', rank: 50 },
    { kind: 'license-users-exhausted', label: 'Licensed users used up', rank: 120 },
  ],
  problems,
  columns: [{ heading: 'Licence', describes: 'its licence', cell: licenseCell }],
};

function optionalText(body: Json, key: string): string {
  const value = body[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw Vb365Error.invalidAnswer(`the License answer's "${key}" is not a string`);
  return value;
}

function count(body: Json, key: string): number | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw Vb365Error.invalidAnswer(`the License answer's "${key}" is not a count`);
  return value;
}

function date(body: Json, key: string): number | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw Vb365Error.invalidAnswer(`the License answer's "${key}" is not a date`);
  return ms;
}
