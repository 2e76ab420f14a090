// Public types of the VB365 REST API simulator.
import type { SimulatorData } from './data.js';

export type ApiVersion = 'v6' | 'v7' | 'v8';
export const API_VERSIONS: readonly ApiVersion[] = ['v6', 'v7', 'v8'];

export type RouteName =
  | 'token'
  | 'organizations'
  | 'used_repositories'
  | 'backup_repositories'
  | 'service_instance'
  | 'logout'
  | 'licensing_information'
  | 'backed_up_organizations'
  | 'object_storage_repositories'
  | 'license'
  | 'health'
  | 'jobs'
  | 'copy_jobs'
  | 'job_sessions'
  | 'proxies'
  | 'restore_points'
  | 'organization_sync_state'
  | 'unknown';
export const ROUTE_NAMES: readonly RouteName[] = [
  'token',
  'organizations',
  'used_repositories',
  'backup_repositories',
  'service_instance',
  'logout',
  'licensing_information',
  'backed_up_organizations',
  'object_storage_repositories',
  'license',
  'health',
  'jobs',
  'copy_jobs',
  'job_sessions',
  'proxies',
  'restore_points',
  'organization_sync_state',
  'unknown',
];

/** The routes that answer a list: each version's own shape by default, or forced by `listingShapes`. */
export type ListingRoute =
  | 'organizations'
  | 'used_repositories'
  | 'backup_repositories'
  | 'backed_up_organizations'
  | 'object_storage_repositories'
  | 'jobs'
  | 'copy_jobs'
  | 'job_sessions'
  | 'proxies'
  | 'restore_points';
export const LISTING_ROUTES: readonly ListingRoute[] = [
  'organizations',
  'used_repositories',
  'backup_repositories',
  'backed_up_organizations',
  'object_storage_repositories',
  'jobs',
  'copy_jobs',
  'job_sessions',
  'proxies',
  'restore_points',
];
/** 'array': every item in one plain JSON array (no paging); 'page': `{offset, limit, results, _links}` with next links. */
export type ListingShape = 'array' | 'page';

/** One build for every API version, or a build per API version (the others keep their default). */
export type ProductVersion = string | Partial<Record<ApiVersion, string>>;

export interface SimulatorOptions {
  /** Interface to listen on, default '127.0.0.1'. */
  host?: string;
  /** Port to listen on, default 0 (random). */
  port?: number;
  /** Default true: HTTPS with a fresh self-signed certificate whose PEM is exposed as `ca`. */
  tls?: boolean;
  /** Default ['v6','v7','v8']; a version not served answers 404 on all its paths. See also setVersions. */
  versions?: ApiVersion[];
  /**
   * The build ServiceInstance reports: one for every API version (as one real server does), e.g.
   * '8.0.2.159', or per version, e.g. `{ v8: '8.0.2.159' }`.
   * Default: a build per API version (v6 '6.1.0.222', v7 '7.1.0.2031', v8 '8.1.0.305').
   */
  productVersion?: ProductVersion;
  /** Answer these listings in this shape in every version instead of the version's own (see setListingShape). */
  listingShapes?: Partial<Record<ListingRoute, ListingShape>>;
  /**
   * Fields left out of the answers of a route, as a server that does not report them would (see
   * setAbsentFields): names of the answered object's (or each listed item's) fields; a dot reaches into
   * an embedded object, e.g. `{ backup_repositories: ['isOutOfSync', 'objectStorage.sizeLimitGB'] }`.
   */
  absentFields?: Partial<Record<RouteName, string[]>>;
  /**
   * Default false. True adds the demo's problems to the seed data: a repository out of sync, one
   * outdated, one out of order, an object storage at 94 % of its size limit and a licence that expires in
   * 20 days (see demo.ts). Off by default so the seed answers stay as the exporter's tests expect them.
   */
  demo?: boolean;
  /**
   * Default false. True serves `GET|PUT /_simulator/versions` (body `v6,v7`) and
   * `PUT /_simulator/product-version` (body a build, empty for the default), unauthenticated, for a
   * standalone simulator whose versions should change while an exporter polls it (see control.ts).
   */
  control?: boolean;
  /** Fixed delay before every answer, default 0. */
  latencyMs?: number;
  /** Access token lifetime, default 3600. */
  tokenLifetimeSeconds?: number;
  /** Most items the server returns per page whatever `limit` asks, default 10000. */
  pageSize?: number;
  /** Generated organizations added after the seed ones, default 0. */
  organizationCount?: number;
  /** Repositories each generated organization uses, default 2. */
  repositoriesPerOrganization?: number;
  /**
   * Default 0: each generated organization has repositories of its own. N: the generated organizations
   * share a pool of N generated repositories, `repositoriesPerOrganization` each (N must be at least that),
   * e.g. 10,000 organizations sharing 20 repositories.
   */
  sharedRepositoryCount?: number;
  /** Backup jobs of each generated organization, default 0 (e.g. 2: 20,000 jobs for 10,000 organizations). */
  jobsPerOrganization?: number;
  /** Backup copy jobs of each generated organization, default 0; needs jobsPerOrganization >= 1. */
  copyJobsPerOrganization?: number;
  /**
   * Generated backup proxies added after the seed ones, default 0; generated repositories are spread over
   * them (without any, they all name the seed's default proxy).
   */
  proxyCount?: number;
  /**
   * The simulator's notion of now (ms since the epoch), default Date.now: read once at the start for the
   * seed's relative times (a backup 27 hours ago, a job overdue by 2 hours...) and the licence's expiry,
   * and on every request for token expiry. The exporter's Clock fits, so a test can share its fake clock.
   */
  clock?: { now(): number };
  /**
   * An HTTP status (e.g. 500) the extended view of Organizations (`extendedView=true`, and v6 without
   * the parameter) answers with, as a server does when no backup proxy is online; the plain listing still
   * works. Default: none (see setExtendedViewFailure).
   */
  extendedViewFailure?: number;
  /** Default 'admin'. */
  username?: string;
  /** Default 'vb365-simulator'. */
  password?: string;
  /** Default true: include the seed data (see seed.ts). */
  seed?: boolean;
  /**
   * TLS certificate and key to serve instead of a fresh self-signed one (see createSelfSignedCertificate),
   * so a client configured before the simulator starts can already trust it.
   */
  certificate?: { cert: string; key: string };
  /**
   * Makes the tokens the simulator issues: called once per token with its kind and a sequence number
   * (1, 2, ... per kind). Default: 32 random bytes, base64url. Every returned token must be unique.
   */
  tokenFactory?: (kind: 'access' | 'refresh', sequence: number) => string;
}

export interface SimulatorStats {
  /** Every HTTP request received. */
  requests: number;
  byRoute: Record<RouteName, number>;
  tokenGrants: { password: number; refresh_token: number; failed: number };
  /** Requests between arrival and response end (or socket close). */
  inFlight: number;
  maxInFlight: number;
  /** TCP connections accepted (TLS: completed handshakes). */
  connections: number;
  /** Responses whose connection closed before the whole answer was sent (client gave up, reset, hang). */
  unfinishedResponses: number;
}

/** The request a fault rule's `transformBody` rewrites the answer of. */
export interface FaultRequest {
  method: string;
  /** Path with query, as received. */
  path: string;
  route: RouteName;
  organizationId: string | undefined;
  /** The Authorization header, if any. */
  authorization: string | undefined;
  /** The request body as text (the token form). */
  body: string;
  /** Status of the answer being rewritten. */
  status: number;
}

export interface FaultRule {
  route: RouteName | '*';
  /** Only for used_repositories requests of this organization. */
  organizationId?: string;
  /** How many matching requests the rule applies to, default Infinity. */
  times?: number;
  /** Answer with this status and a VB365-style error body {message}. */
  status?: number;
  /** Retry-After header value (meant for 429/503). */
  retryAfter?: string;
  /** Answer 200 with exactly this raw body. */
  body?: string;
  /** Accept the request and never answer (until close()). */
  hang?: boolean;
  /** Send the normal body slowly. */
  trickleBytesPerSecond?: number;
  /** Send headers and part of the body, then destroy the socket. */
  resetMidBody?: boolean;
  /**
   * Rewrite the body of the answer (the normal one, or the error body of `status`), keeping its status:
   * loops in next links, duplicated or mangled items, padding, echoes of the request.
   */
  transformBody?: (body: string, request: FaultRequest) => string;
  /** Send the body without Content-Length (chunked), so the client learns its size only by reading it. */
  omitContentLength?: boolean;
}

export interface Simulator {
  /** e.g. 'https://127.0.0.1:34567', no trailing slash. */
  readonly url: string;
  /** PEM certificate to trust when tls, else undefined. */
  readonly ca: string | undefined;
  readonly username: string;
  /** The password the token endpoint currently accepts (see setPassword). */
  readonly password: string;
  /** Mutable model: changes show in the next answers. */
  readonly data: SimulatorData;
  /** Live counters (the same object for the simulator's lifetime). */
  readonly stats: SimulatorStats;
  resetStats(): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Every issued access and refresh token becomes invalid. */
  revokeAllTokens(): void;
  /** Changes the password the token endpoint accepts from now on (issued tokens stay valid). */
  setPassword(password: string): void;
  /** The API versions served now. */
  readonly versions: readonly ApiVersion[];
  /** Serves these API versions from the next request on (an upgrade or a downgrade); the others answer 404. */
  setVersions(versions: readonly ApiVersion[]): void;
  /** The build(s) ServiceInstance reports from now on; undefined: the per-version default. */
  setProductVersion(build: ProductVersion | undefined): void;
  /** Forces a listing's shape in every version (route '*': every listing); undefined: the version's own. */
  setListingShape(route: ListingRoute | '*', shape: ListingShape | undefined): void;
  /** Replaces the absent fields of a route (see SimulatorOptions.absentFields); [] reports them all again. */
  setAbsentFields(route: RouteName, fields: string[]): void;
  /** Makes the extended view of Organizations fail with this status from now on; undefined: it works again. */
  setExtendedViewFailure(status: number | undefined): void;
  /** Closes the server and destroys open sockets, hung responses included. */
  close(): Promise<void>;
}
