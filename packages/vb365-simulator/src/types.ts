// Public types of the VB365 REST API simulator.
import type { SimulatorData } from './data.js';

export type ApiVersion = 'v6' | 'v7' | 'v8';
export const API_VERSIONS: readonly ApiVersion[] = ['v6', 'v7', 'v8'];

export type RouteName =
  'token' | 'organizations' | 'used_repositories' | 'backup_repositories' | 'service_instance' | 'logout' | 'unknown';
export const ROUTE_NAMES: readonly RouteName[] = [
  'token',
  'organizations',
  'used_repositories',
  'backup_repositories',
  'service_instance',
  'logout',
  'unknown',
];

export interface SimulatorOptions {
  /** Interface to listen on, default '127.0.0.1'. */
  host?: string;
  /** Port to listen on, default 0 (random). */
  port?: number;
  /** Default true: HTTPS with a fresh self-signed certificate whose PEM is exposed as `ca`. */
  tls?: boolean;
  /** Default ['v6','v7','v8']; a version not served answers 404 on all its paths. */
  versions?: ApiVersion[];
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
  /** Closes the server and destroys open sockets, hung responses included. */
  close(): Promise<void>;
}
