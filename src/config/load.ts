/**
 * Builds the ExporterConfig from the command line, the environment and an optional YAML file.
 *
 * Precedence: without a file, one server comes from the VB365_* variables. With a file
 * (`--config` or VB365_CONFIG_FILE), servers come from the file only and VB365_* server variables are
 * ignored (a warning names them). Top-level settings (listen address, log level, web config) take the
 * command line first, then the environment, then the file, then the default.
 */
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CommandLine } from './args.js';
import { ConfigError, describeValue } from './errors.js';
import { readPemFile, readText } from './files.js';
import { yamlErrorText } from './yaml-error.js';
import * as field from './fields.js';
import { parseShard } from './shard.js';
import { rejectUnknownKeys } from './unknown-keys.js';
import type { ExporterConfig, ServerConfig } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;
type Raw = Readonly<Record<string, unknown>>;

/** Server keys in the YAML file and the environment variable that sets each for the single env server. */
const SERVER_KEYS = {
  name: 'VB365_SERVER_NAME',
  url: 'VB365_URL',
  api_version: 'VB365_API_VERSION',
  username: 'VB365_USERNAME',
  password: 'VB365_PASSWORD',
  password_file: 'VB365_PASSWORD_FILE',
  organizations: 'VB365_ORGANIZATIONS',
  ca_file: 'VB365_CA_FILE',
  tls_insecure: 'VB365_TLS_INSECURE',
  poll_interval: 'VB365_POLL_INTERVAL',
  poll_concurrency: 'VB365_POLL_CONCURRENCY',
  request_timeout: 'VB365_REQUEST_TIMEOUT',
  max_response_bytes: 'VB365_MAX_RESPONSE_BYTES',
} as const;
type ServerKey = keyof typeof SERVER_KEYS;
const PATH_KEYS: ReadonlySet<ServerKey> = new Set(['password_file', 'ca_file']);

/** Top-level keys of the YAML file, with the environment variable and the flag that set each. */
const TOP_LEVEL_KEYS = {
  listen_address: 'VB365_LISTEN_ADDRESS',
  telemetry_path: 'VB365_TELEMETRY_PATH',
  log_level: 'LOG_LEVEL',
  log_format: 'LOG_FORMAT',
  web_config_file: 'VB365_WEB_CONFIG_FILE',
  servers: undefined,
} as const;

export const DEFAULTS = {
  apiVersion: 'v6',
  listenAddress: ':10365',
  telemetryPath: '/metrics',
  logLevel: 'info',
  logFormat: 'json',
  pollIntervalSeconds: 300,
  pollConcurrency: 4,
  requestTimeoutSeconds: 30,
  maxResponseBytes: 16 * 1024 * 1024,
} as const;

export interface LoadedConfig {
  readonly config: ExporterConfig;
  /** Things worth a log line once the logger exists, e.g. ignored variables. */
  readonly warnings: readonly string[];
  /** Where the configuration came from, for `--check-config` and the start-up log. */
  readonly source: string;
}

export function loadConfig(commandLine: CommandLine, rawEnv: Env): LoadedConfig {
  // An empty variable counts as unset: templated deployments often set VAR="".
  const env: Env = Object.fromEntries(
    Object.entries(rawEnv).filter(([, value]) => value !== undefined && value !== ''),
  );
  const configFile = commandLine.configFile ?? env['VB365_CONFIG_FILE'];
  const warnings: string[] = [];
  let file: Raw = {};
  let servers: ServerConfig[];

  if (configFile === undefined) {
    servers = [
      parseServer(
        (key) => env[SERVER_KEYS[key]],
        (key) => SERVER_KEYS[key],
      ),
    ];
  } else {
    file = readYamlFile(configFile);
    rejectUnknownKeys(file, Object.keys(TOP_LEVEL_KEYS), (key) => `${key} (${configFile})`);
    servers = parseFileServers(file['servers'], configFile);
    const ignored = Object.values(SERVER_KEYS).filter((name) => env[name] !== undefined);
    if (ignored.length > 0) warnings.push(`${configFile} defines the servers; ignoring ${ignored.join(', ')}`);
  }

  // A flag, then its environment variable, then the file; each value named as the user wrote it.
  const topLevel = (
    key: Exclude<keyof typeof TOP_LEVEL_KEYS, 'servers'>,
    flag?: { readonly name: string; readonly value: string | undefined },
  ): { value: unknown; setting: string; fromFile: boolean } => {
    if (flag?.value !== undefined) return { value: flag.value, setting: `--${flag.name}`, fromFile: false };
    const variable = TOP_LEVEL_KEYS[key];
    if (env[variable] !== undefined) return { value: env[variable], setting: variable, fromFile: false };
    return { value: file[key], setting: `${key} (${configFile ?? ''})`, fromFile: true };
  };
  const listen = topLevel('listen_address');
  const telemetry = topLevel('telemetry_path', { name: 'web.telemetry-path', value: commandLine.telemetryPath });
  const level = topLevel('log_level', { name: 'log.level', value: commandLine.logLevel });
  const format = topLevel('log_format', { name: 'log.format', value: commandLine.logFormat });
  const web = topLevel('web_config_file');

  const config: ExporterConfig = {
    servers,
    listen:
      commandLine.listenAddresses.length > 0
        ? commandLine.listenAddresses.map((address) => field.listenAddress(address, '--web.listen-address'))
        : [field.listenAddress(listen.value ?? DEFAULTS.listenAddress, listen.setting)],
    listenSetting: commandLine.listenAddresses.length > 0 ? '--web.listen-address' : listen.setting,
    telemetryPath: field.telemetryPath(telemetry.value ?? DEFAULTS.telemetryPath, telemetry.setting),
    logLevel: field.logLevel(level.value ?? DEFAULTS.logLevel, level.setting),
    logFormat: field.logFormat(format.value ?? DEFAULTS.logFormat, format.setting),
    shard: parseShard(env),
    webConfigFile:
      commandLine.webConfigFile ??
      webConfigPath(field.optionalString(web.value, web.setting, 'a file path'), web.fromFile ? configFile : undefined),
  };
  return {
    config: deepFreeze(config),
    warnings,
    source: configFile === undefined ? 'environment' : configFile,
  };
}

/** A path in the config file is relative to the file, as every other path there. */
function webConfigPath(path: string | undefined, configFile: string | undefined): string | undefined {
  return path === undefined || configFile === undefined ? path : resolve(dirname(configFile), path);
}

function parseFileServers(value: unknown, configFile: string): ServerConfig[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(`servers (${configFile})`, 'a non-empty list of servers', describeValue(value));
  }
  const servers = value.map((entry: unknown, index) => {
    const where = (key: string): string => `servers[${index}].${key} (${configFile})`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ConfigError(`servers[${index}] (${configFile})`, 'a mapping of server settings', describeValue(entry));
    }
    const raw = entry as Raw;
    rejectUnknownKeys(raw, Object.keys(SERVER_KEYS), where);
    // File paths in the file are relative to the file, as in Prometheus' own configuration.
    const get = (key: ServerKey): unknown =>
      PATH_KEYS.has(key) && typeof raw[key] === 'string' ? resolve(dirname(configFile), raw[key]) : raw[key];
    return parseServer(get, where);
  });
  const seen = new Set<string>();
  servers.forEach((server, index) => {
    if (seen.has(server.name)) {
      throw new ConfigError(
        `servers[${index}].name (${configFile})`,
        'a name no other server has',
        JSON.stringify(server.name),
      );
    }
    seen.add(server.name);
  });
  return servers;
}

function parseServer(get: (key: ServerKey) => unknown, setting: (key: ServerKey) => string): ServerConfig {
  const url = field.baseUrl(get('url'), setting('url'));
  const password = readPassword(get, setting);
  const caFile = field.optionalString(get('ca_file'), setting('ca_file'), 'a path to a PEM file');
  return {
    name: field.optionalString(get('name'), setting('name'), 'a non-empty name') ?? new URL(url).host,
    url,
    apiVersion: field.apiVersion(get('api_version') ?? DEFAULTS.apiVersion, setting('api_version')),
    username: field.requiredString(get('username'), setting('username'), 'a user name'),
    password,
    organizations: field.organizationIds(get('organizations'), setting('organizations')),
    ca: caFile === undefined ? undefined : readPemFile(caFile, setting('ca_file')),
    caFile,
    tlsInsecure: field.boolean(get('tls_insecure') ?? false, setting('tls_insecure')),
    pollIntervalSeconds: field.durationSeconds(
      get('poll_interval') ?? DEFAULTS.pollIntervalSeconds,
      setting('poll_interval'),
      1,
      86_400,
    ),
    pollConcurrency: field.wholeNumber(
      get('poll_concurrency') ?? DEFAULTS.pollConcurrency,
      setting('poll_concurrency'),
      1,
      256,
      'requests',
    ),
    requestTimeoutSeconds: field.durationSeconds(
      get('request_timeout') ?? DEFAULTS.requestTimeoutSeconds,
      setting('request_timeout'),
      1,
      600,
    ),
    settingNames: { url: setting('url'), caFile: setting('ca_file'), tlsInsecure: setting('tls_insecure') },
    maxResponseBytes: field.wholeNumber(
      get('max_response_bytes') ?? DEFAULTS.maxResponseBytes,
      setting('max_response_bytes'),
      1024,
      1024 ** 3,
      'bytes',
    ),
  };
}

function readPassword(get: (key: ServerKey) => unknown, setting: (key: ServerKey) => string): string {
  const inline = get('password');
  const file = get('password_file');
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError(setting('password'), `either it or ${setting('password_file')}, not both`);
  }
  if (file !== undefined) {
    const path = field.requiredString(file, setting('password_file'), 'a path to a file holding the password');
    // Secret files usually end with a newline that is not part of the password.
    const text = readText(path, setting('password_file'), 'a readable file holding the password').replace(/\r?\n$/, '');
    return field.requiredString(text, setting('password_file'), 'a file holding a non-empty password', true);
  }
  if (inline === undefined) {
    throw new ConfigError(setting('password'), `a password (or ${setting('password_file')})`);
  }
  return field.requiredString(inline, setting('password'), 'a non-empty password', true);
}

function readYamlFile(path: string): Raw {
  const text = readText(path, '--config', 'a readable YAML file');
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new ConfigError(`--config ${path}`, 'valid YAML', yamlErrorText(error, text));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`--config ${path}`, 'a YAML mapping with a servers list', describeValue(parsed));
  }
  return parsed as Raw;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
