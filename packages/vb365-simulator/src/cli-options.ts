// Parses the standalone simulator's command line into start options and the state to set on its data.
import { parseArgs } from 'node:util';
import type { SimulatorData, UsageBytes } from './data.js';
import type { LicenseType, RepositoryState, SimulatedLicense } from './model.js';
import {
  API_VERSIONS,
  LISTING_ROUTES,
  ROUTE_NAMES,
  type ApiVersion,
  type ListingRoute,
  type ListingShape,
  type RouteName,
  type SimulatorOptions,
} from './types.js';

export const USAGE = `Usage: vb365-simulator [options]
  --host <addr>                  listen address (default 127.0.0.1)
  --port <n>                     listen port (default 4443, 0 = random)
  --organizations <n>            generated organizations after the seed ones (default 0)
  --repositories-per-organization <n>  (default 2)
  --shared-repositories <n>      generated organizations share a pool of n repositories (default 0: own ones)
  --jobs-per-organization <n>    backup jobs of each generated organization (default 0)
  --copy-jobs-per-organization <n>  copy jobs of each generated organization (default 0)
  --proxies <n>                  generated backup proxies after the seed ones (default 0)
  --start-time <date-time>       the simulator's now at start (seed times are relative to it; default: now)
  --page-size <n>                most items per page (default 10000)
  --latency-ms <n>               delay before every answer (default 0)
  --token-lifetime-seconds <n>   access token lifetime (default 3600)
  --versions <list>              served API versions, e.g. v6,v8 (default v6,v7,v8)
  --control                      serve GET/PUT /_simulator/versions, PUT /_simulator/product-version and
                                 PUT /_simulator/extended-view-failure to change them while running
  --product-version <build>      the build ServiceInstance reports in every version (e.g. 8.0.2.159)
  --listing-shape <route>=<array|page>  force a listing's shape in every version (route or *), repeatable
  --absent <route>:<field>[,<field>]    leave fields out of a route's answers (a.b: nested), repeatable
  --demo                         the demo's problems: repositories out of sync, outdated and out of order,
                                 an object storage at 94 % of its limit, a licence expiring in 20 days
  --repository-state <id>:<flag>[,<flag>]  out-of-sync, outdated, out-of-order[=<reason>], repeatable
  --object-storage-limit <repository id>:<GB>  enable the size limit of a repository's object storage
  --license-total <n> --license-used <n> --license-new <n>
  --license-expires <date> --license-grace-expires <date>  ISO date-time, or +<days>d from now
  --license-status <Valid|Expired> --license-type <Subscription|Evaluation|NFR|Rental|Community|...>
  --unhealthy <entry>[=<description>]   mark a v8 Health entry unhealthy, repeatable
  --extended-view-failure <status>  Organizations?extendedView=true answers this error (no proxy online)
  --backedup-skew <repository id>:<organization id>:<field>=<bytes>  backedupOrganizations answers this
                                 value instead of the UsedRepositories one (usedSpaceBytes,
                                 localCacheUsedSpaceBytes, objectStorageUsedSpaceBytes), repeatable
  --username <name> --password <secret>
  --no-seed                      only generated organizations
  --plain-http                   HTTP instead of HTTPS
  --ca-file <path>               write the self-signed certificate (PEM) there to trust it
  --json                         print one JSON line {url, username, password, ca}
  --help`;

export interface CliOptions {
  options: SimulatorOptions;
  /** Applied to the data once the simulator has started (after the seed and demo state). */
  applyState: (data: SimulatorData) => void;
  caFile?: string;
  json: boolean;
}

const LICENSE_TYPES: readonly LicenseType[] = [
  'Subscription',
  'Evaluation',
  'NFR',
  'Rental',
  'Community',
  'AwsPrivateOffer',
];

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} expects a non-negative integer, got '${text}'`);
  return value;
}

const USAGE_FIELDS: readonly (keyof UsageBytes)[] = [
  'usedSpaceBytes',
  'localCacheUsedSpaceBytes',
  'objectStorageUsedSpaceBytes',
];

/** `<repository id>:<organization id>:<field>=<bytes>`. */
function backedUpSkew(text: string): [string, string, Partial<UsageBytes>] {
  const [repositoryId, rest] = split('backedup-skew', text, ':');
  const [organizationId, assignment] = split('backedup-skew', rest, ':');
  const [field, bytes] = split('backedup-skew', assignment, '=');
  const name = USAGE_FIELDS.find((f) => f === field);
  if (name === undefined) throw new Error(`--backedup-skew: field one of ${USAGE_FIELDS.join(', ')}, got '${field}'`);
  return [repositoryId, organizationId, { [name]: integer('backedup-skew', bytes) ?? 0 }];
}

/**
 * A clock that reads `text` (ISO date-time) the first time it is asked, the simulator's start, so the
 * seed's times are exact, and runs on with real time from then.
 */
function startClock(text: string | undefined): { now(): number } | undefined {
  if (text === undefined) return undefined;
  const startMs = Date.parse(text);
  if (Number.isNaN(startMs)) throw new Error(`--start-time expects an ISO date-time, got '${text}'`);
  let realStartMs: number | undefined;
  return {
    now: () => {
      realStartMs ??= Date.now();
      return startMs + (Date.now() - realStartMs);
    },
  };
}

function errorStatus(text: string | undefined): number | undefined {
  const status = integer('extended-view-failure', text);
  if (status !== undefined && (status < 400 || status > 599)) {
    throw new Error(`--extended-view-failure expects an error status (400-599), got '${String(text)}'`);
  }
  return status;
}

function versions(text: string | undefined): ApiVersion[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((v) => v.trim().toLowerCase());
  const unknown = list.filter((v) => !API_VERSIONS.some((known) => known === v));
  if (unknown.length > 0) throw new Error(`--versions: unknown ${unknown.join(', ')}`);
  return API_VERSIONS.filter((v) => list.includes(v));
}

/** `name<separator>rest`, both non-empty. */
function split(flag: string, text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  if (at <= 0 || at === text.length - 1) throw new Error(`--${flag} expects <a>${separator}<b>, got '${text}'`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function listingShapes(texts: string[]): SimulatorOptions['listingShapes'] | undefined {
  if (texts.length === 0) return undefined;
  const shapes: Partial<Record<ListingRoute, ListingShape>> = {};
  for (const text of texts) {
    const [route, shape] = split('listing-shape', text, '=');
    if (shape !== 'array' && shape !== 'page') throw new Error(`--listing-shape: shape array or page, got '${shape}'`);
    const routes = route === '*' ? LISTING_ROUTES : LISTING_ROUTES.filter((r) => r === route);
    if (routes.length === 0)
      throw new Error(`--listing-shape: not a listing: '${route}' (${LISTING_ROUTES.join(', ')})`);
    for (const r of routes) shapes[r] = shape;
  }
  return shapes;
}

function absentFields(texts: string[]): SimulatorOptions['absentFields'] | undefined {
  if (texts.length === 0) return undefined;
  const fields: Partial<Record<RouteName, string[]>> = {};
  for (const text of texts) {
    const [route, list] = split('absent', text, ':');
    const name = ROUTE_NAMES.find((r) => r === route && r !== 'unknown');
    if (name === undefined) throw new Error(`--absent: unknown route '${route}'`);
    fields[name] = [...(fields[name] ?? []), ...list.split(',').filter((f) => f !== '')];
  }
  return fields;
}

function repositoryState(text: string): [string, Partial<RepositoryState>] {
  const [id, flags] = split('repository-state', text, ':');
  const state: Partial<RepositoryState> = {};
  for (const flag of flags.split(',')) {
    const [name, reason] = flag.includes('=') ? split('repository-state', flag, '=') : [flag, undefined];
    if (name === 'out-of-sync') state.isOutOfSync = true;
    else if (name === 'outdated') state.isOutdated = true;
    else if (name === 'out-of-order') {
      state.isOutOfOrder = true;
      state.outOfOrderReason = reason ?? 'invalid state';
    } else throw new Error(`--repository-state: unknown flag '${name}' (out-of-sync, outdated, out-of-order)`);
  }
  return [id, state];
}

/** An ISO date-time, or `+<days>d` from `now`. */
function date(flag: string, text: string | undefined, now: Date): string | undefined {
  if (text === undefined) return undefined;
  const relative = /^\+(\d+)d$/.exec(text);
  const time = relative ? now.getTime() + Number(relative[1]) * 24 * 3600 * 1000 : Date.parse(text);
  if (Number.isNaN(time)) throw new Error(`--${flag} expects an ISO date-time or +<days>d, got '${text}'`);
  return new Date(time).toISOString();
}

export function parseCliOptions(argv: string[], now = new Date()): CliOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      organizations: { type: 'string' },
      'repositories-per-organization': { type: 'string' },
      'shared-repositories': { type: 'string' },
      'jobs-per-organization': { type: 'string' },
      'copy-jobs-per-organization': { type: 'string' },
      proxies: { type: 'string' },
      'start-time': { type: 'string' },
      'extended-view-failure': { type: 'string' },
      'backedup-skew': { type: 'string', multiple: true },
      'page-size': { type: 'string' },
      'latency-ms': { type: 'string' },
      'token-lifetime-seconds': { type: 'string' },
      versions: { type: 'string' },
      control: { type: 'boolean' },
      'product-version': { type: 'string' },
      'listing-shape': { type: 'string', multiple: true },
      absent: { type: 'string', multiple: true },
      demo: { type: 'boolean' },
      'repository-state': { type: 'string', multiple: true },
      'object-storage-limit': { type: 'string', multiple: true },
      'license-total': { type: 'string' },
      'license-used': { type: 'string' },
      'license-new': { type: 'string' },
      'license-expires': { type: 'string' },
      'license-grace-expires': { type: 'string' },
      'license-status': { type: 'string' },
      'license-type': { type: 'string' },
      unhealthy: { type: 'string', multiple: true },
      username: { type: 'string' },
      password: { type: 'string' },
      'no-seed': { type: 'boolean' },
      'plain-http': { type: 'boolean' },
      'ca-file': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;
  const options: SimulatorOptions = {
    port: integer('port', values.port) ?? 4443,
    tls: !values['plain-http'],
    seed: !values['no-seed'],
  };
  const set = <K extends keyof SimulatorOptions>(key: K, value: SimulatorOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('host', values.host);
  set('organizationCount', integer('organizations', values.organizations));
  set('repositoriesPerOrganization', integer('repositories-per-organization', values['repositories-per-organization']));
  set('sharedRepositoryCount', integer('shared-repositories', values['shared-repositories']));
  set('jobsPerOrganization', integer('jobs-per-organization', values['jobs-per-organization']));
  set('copyJobsPerOrganization', integer('copy-jobs-per-organization', values['copy-jobs-per-organization']));
  set('proxyCount', integer('proxies', values.proxies));
  set('clock', startClock(values['start-time']));
  set('extendedViewFailure', errorStatus(values['extended-view-failure']));
  set('pageSize', integer('page-size', values['page-size']));
  set('latencyMs', integer('latency-ms', values['latency-ms']));
  set('tokenLifetimeSeconds', integer('token-lifetime-seconds', values['token-lifetime-seconds']));
  set('versions', versions(values.versions));
  set('username', values.username);
  set('password', values.password);
  set('productVersion', values['product-version']);
  set('listingShapes', listingShapes(values['listing-shape'] ?? []));
  set('absentFields', absentFields(values.absent ?? []));
  if (values.demo) options.demo = true;
  if (values.control) options.control = true;

  const states = (values['repository-state'] ?? []).map(repositoryState);
  const limits = (values['object-storage-limit'] ?? []).map((text) => {
    const [id, gb] = split('object-storage-limit', text, ':');
    return [id, integer('object-storage-limit', gb) ?? 0] as const;
  });
  const license: Partial<SimulatedLicense> = {};
  const put = <K extends keyof SimulatedLicense>(key: K, value: SimulatedLicense[K] | undefined): void => {
    if (value !== undefined) license[key] = value;
  };
  put('totalNumber', integer('license-total', values['license-total']));
  put('usedNumber', integer('license-used', values['license-used']));
  put('newNumber', integer('license-new', values['license-new']));
  put('licenseExpires', date('license-expires', values['license-expires'], now));
  put('gracePeriodExpires', date('license-grace-expires', values['license-grace-expires'], now));
  const status = values['license-status'];
  if (status !== undefined && status !== 'Valid' && status !== 'Expired') {
    throw new Error(`--license-status: Valid or Expired, got '${status}'`);
  }
  put('status', status);
  const type = values['license-type'];
  if (type !== undefined && !LICENSE_TYPES.some((t) => t === type)) {
    throw new Error(`--license-type: one of ${LICENSE_TYPES.join(', ')}, got '${type}'`);
  }
  put('type', type as LicenseType | undefined);
  const unhealthy = (values.unhealthy ?? []).map((text) =>
    text.includes('=') ? split('unhealthy', text, '=') : ([text, null] as const),
  );

  const skews = (values['backedup-skew'] ?? []).map(backedUpSkew);

  const applyState = (data: SimulatorData): void => {
    for (const [repositoryId, organizationId, bytes] of skews) {
      data.setBackedUpOrganizationSkew(repositoryId, organizationId, bytes);
    }
    for (const [id, state] of states) data.setRepositoryState(id, state);
    for (const [id, gb] of limits) data.setObjectStorage(id, { sizeLimitEnabled: true, sizeLimitGB: gb });
    data.setLicense(license);
    for (const [entry, description] of unhealthy) data.setHealthEntry(entry, 'Unhealthy', description);
  };
  const parsed: CliOptions = { options, applyState, json: values.json ?? false };
  if (values['ca-file'] !== undefined) parsed.caFile = values['ca-file'];
  return parsed;
}
