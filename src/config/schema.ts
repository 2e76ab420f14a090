/**
 * Every setting of the exporter, once: its YAML key, its environment variable, its flag, the kind of
 * value it takes and its default. The configuration file's schema and the environment's are built from
 * these tables, so a new setting is one line here (and its use).
 */
import { z } from 'zod';
import { API_VERSION_SETTINGS, COLLECTIONS, LOG_FORMATS, LOG_LEVELS } from './types.js';
import {
  baseUrl,
  durationSeconds,
  flag,
  listenAddress,
  oneOf,
  organizationIds,
  telemetryPath,
  text,
  wholeNumber,
} from './values.js';

export const DEFAULTS = {
  apiVersion: 'auto',
  listenAddress: ':10365',
  telemetryPath: '/metrics',
  logLevel: 'info',
  logFormat: 'json',
  pollIntervalSeconds: 300,
  pollConcurrency: 4,
  requestTimeoutSeconds: 30,
  maxResponseBytes: 16 * 1024 * 1024,
  collection: 'per_organization',
  verificationCycles: 10,
} as const;

interface Setting<S extends z.ZodType> {
  /** The variable that sets it (for a server: for the single server configured without a file). */
  readonly env: string;
  readonly value: S;
  /** A file path: relative to the configuration file when written there. */
  readonly path?: true;
  /** Never shown in a message. */
  readonly secret?: true;
}

function setting<S extends z.ZodType>(definition: Setting<S>): Setting<S> {
  return definition;
}

/** One VB365 server: a `servers` entry in the file, or the VB365_* variables without a file. */
export const SERVER_SETTINGS = {
  name: setting({ env: 'VB365_SERVER_NAME', value: text('a non-empty name').optional() }),
  url: setting({ env: 'VB365_URL', value: baseUrl() }),
  api_version: setting({ env: 'VB365_API_VERSION', value: oneOf(API_VERSION_SETTINGS).default(DEFAULTS.apiVersion) }),
  username: setting({ env: 'VB365_USERNAME', value: text('a user name') }),
  password: setting({ env: 'VB365_PASSWORD', value: text('a non-empty password').optional(), secret: true }),
  password_file: setting({
    env: 'VB365_PASSWORD_FILE',
    value: text('a path to a file holding the password').optional(),
    path: true,
  }),
  organizations: setting({ env: 'VB365_ORGANIZATIONS', value: organizationIds().default([]) }),
  ca_file: setting({ env: 'VB365_CA_FILE', value: text('a path to a PEM file').optional(), path: true }),
  tls_insecure: setting({ env: 'VB365_TLS_INSECURE', value: flag().default(false) }),
  poll_interval: setting({
    env: 'VB365_POLL_INTERVAL',
    value: durationSeconds(1, 86_400).default(DEFAULTS.pollIntervalSeconds),
  }),
  poll_concurrency: setting({
    env: 'VB365_POLL_CONCURRENCY',
    value: wholeNumber(1, 256, 'requests').default(DEFAULTS.pollConcurrency),
  }),
  request_timeout: setting({
    env: 'VB365_REQUEST_TIMEOUT',
    value: durationSeconds(1, 600).default(DEFAULTS.requestTimeoutSeconds),
  }),
  max_response_bytes: setting({
    env: 'VB365_MAX_RESPONSE_BYTES',
    value: wholeNumber(1024, 1024 ** 3, 'bytes').default(DEFAULTS.maxResponseBytes),
  }),
  collection: setting({ env: 'VB365_COLLECTION', value: oneOf(COLLECTIONS).default(DEFAULTS.collection) }),
  collection_verification_cycles: setting({
    env: 'VB365_COLLECTION_VERIFICATION_CYCLES',
    value: wholeNumber(1, 1000, 'cycles').default(DEFAULTS.verificationCycles),
  }),
};
export type ServerKey = keyof typeof SERVER_SETTINGS;

interface TopLevelSetting<S extends z.ZodType> extends Setting<S> {
  /** The command-line flag, without its dashes. */
  readonly flag: string;
  /** What applies when no flag, variable or file sets it (as a user would write it). */
  readonly default?: string;
}

/** Settings of the exporter itself: a flag wins over its variable, which wins over the file (load.ts). */
export const TOP_LEVEL_SETTINGS = {
  listen_address: {
    env: 'VB365_LISTEN_ADDRESS',
    flag: 'web.listen-address',
    value: listenAddress(),
    default: DEFAULTS.listenAddress,
  },
  telemetry_path: {
    env: 'VB365_TELEMETRY_PATH',
    flag: 'web.telemetry-path',
    value: telemetryPath(),
    default: DEFAULTS.telemetryPath,
  },
  log_level: { env: 'LOG_LEVEL', flag: 'log.level', value: oneOf(LOG_LEVELS), default: DEFAULTS.logLevel },
  log_format: { env: 'LOG_FORMAT', flag: 'log.format', value: oneOf(LOG_FORMATS), default: DEFAULTS.logFormat },
  web_config_file: { env: 'VB365_WEB_CONFIG_FILE', flag: 'web.config.file', value: text('a file path'), path: true },
} satisfies Record<string, TopLevelSetting<z.ZodType>>;
export type TopLevelKey = keyof typeof TOP_LEVEL_SETTINGS;

type Shape<T extends Record<string, { readonly value: z.ZodType }>> = { [K in keyof T]: T[K]['value'] };

function shapeOf<T extends Record<string, { readonly value: z.ZodType }>>(settings: T): Shape<T> {
  return Object.fromEntries(Object.entries(settings).map(([key, { value }]) => [key, value])) as Shape<T>;
}

/** Unknown keys are errors, not ignored: a typo would otherwise leave a setting at its default. */
function strictMapping<T extends z.ZodRawShape>(shape: T, expected: string) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `a known setting (one of ${known})` : expected),
  });
}

/** A mapping of settings, checked strictly; a setting set to null is unset. */
export function settingsMapping<T extends z.ZodRawShape>(shape: T, expected: string) {
  return z.preprocess(withoutNulls, strictMapping(shape, expected));
}

/** A key set to null (`log_level:` with nothing after it) is unset, as it always was here and in exporter-toolkit. */
function withoutNulls(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null));
}

export const serverSchema = settingsMapping(shapeOf(SERVER_SETTINGS), 'a mapping of server settings');
export type ServerSettings = z.output<typeof serverSchema>;

/** The configuration file (`--config.file`): the exporter's own settings and a list of servers. */
export const configFileSchema = settingsMapping(
  {
    // Checked here as written; which source wins is decided afterwards (load.ts).
    ...Object.fromEntries(Object.entries(shapeOf(TOP_LEVEL_SETTINGS)).map(([key, value]) => [key, value.optional()])),
    servers: z.array(serverSchema, { error: 'a non-empty list of servers' }).min(1, {
      error: 'a non-empty list of servers',
    }),
  },
  'a YAML mapping with a servers list',
);
