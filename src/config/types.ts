/** The validated, frozen configuration every other part of the exporter receives. */

const API_VERSIONS = ['v6', 'v7', 'v8'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
/** `auto`: the best version the server serves, found while running (see vb365/api-version.ts). */
export const API_VERSION_SETTINGS = ['auto', ...API_VERSIONS] as const;
export type ApiVersionSetting = (typeof API_VERSION_SETTINGS)[number];

/** How a server's used space is read: one UsedRepositories request per organization, or per repository (verified). */
export const COLLECTIONS = ['per_organization', 'per_repository'] as const;
export type Collection = (typeof COLLECTIONS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'logfmt'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ServerConfig {
  /** Value of the `server` label. */
  readonly name: string;
  /** Base URL without a trailing slash, e.g. `https://vb365.example.com:4443`. */
  readonly url: string;
  readonly apiVersion: ApiVersionSetting;
  readonly username: string;
  readonly password: string;
  /** Organization IDs to poll (lower case); empty means discover every organization each cycle. */
  readonly organizations: readonly string[];
  /** PEM text of the CA to trust, read from `ca_file` at start-up. */
  readonly ca: string | undefined;
  readonly tlsInsecure: boolean;
  readonly pollIntervalSeconds: number;
  readonly pollConcurrency: number;
  readonly requestTimeoutSeconds: number;
  /** Largest response body accepted; a larger one is refused without buffering it all. */
  readonly maxResponseBytes: number;
  /** How used space is read (src/facts/organizations/): per organization, or per repository and verified. */
  readonly collection: Collection;
  /** per_repository: every organization is compared with its own UsedRepositories at least once in this many cycles. */
  readonly verificationCycles: number;
  /** Where `ca` was read from: followed while running, so a renewed CA is used by the next connection. */
  readonly caFile?: string | undefined;
  /**
   * How the user named the settings that connection problems point at (`VB365_CA_FILE`, or
   * `servers[0].ca_file (/etc/x.yml)`); the YAML keys when not given.
   */
  readonly settingNames?: { readonly url: string; readonly caFile: string; readonly tlsInsecure: string } | undefined;
}

export interface ListenAddress {
  /** Empty string means every interface. */
  readonly host: string;
  readonly port: number;
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface ExporterConfig {
  readonly servers: readonly ServerConfig[];
  /** Every address the HTTP server listens on (one or more). */
  readonly listen: readonly ListenAddress[];
  /** The setting they came from, as the user wrote it (`--web.listen-address`, `VB365_LISTEN_ADDRESS`, ...). */
  readonly listenSetting?: string | undefined;
  /** Where the metrics are served, `/metrics` by default. */
  readonly telemetryPath: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly shard: Shard | undefined;
  readonly webConfigFile: string | undefined;
}

/** The environment variables the configuration is read from (process.env, or a test's own). */
export type Env = Readonly<Record<string, string | undefined>>;
