/**
 * Builds the ExporterConfig from the command line, the environment and an optional YAML file.
 *
 * Precedence: without a file, one server comes from the VB365_* variables. With a file
 * (`--config` or VB365_CONFIG_FILE), servers come from the file only and VB365_* server variables are
 * ignored (a warning names them). Top-level settings (listen address, log level, web config) take the
 * command line first, then the environment, then the file, then the default.
 */
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import type { CommandLine } from './args.js';
import { ConfigError, describeValue } from './errors.js';
import { readPemFile, readText } from './files.js';
import { parseOrThrow } from './issues.js';
import {
  SERVER_SETTINGS,
  TOP_LEVEL_SETTINGS,
  configFileSchema,
  serverSchema,
  type ServerKey,
  type ServerSettings,
  type TopLevelKey,
} from './schema.js';
import { parseShard } from './shard.js';
import { readYamlMapping } from './yaml-file.js';
import type { Env, ExporterConfig, ServerConfig } from './types.js';

export { DEFAULTS } from './schema.js';

type Raw = Readonly<Record<string, unknown>>;

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
  const { servers, file, warnings } =
    configFile === undefined
      ? { servers: [serverFromEnvironment(env)], file: {}, warnings: [] }
      : fromFile(configFile, env);
  const topLevel = topLevelSettings(commandLine, env, file, configFile);
  const flagAddresses = commandLine.listenAddresses.map((address) =>
    parseOrThrow(TOP_LEVEL_SETTINGS.listen_address.value, address, { settingAt: () => '--web.listen-address' }),
  );
  const listen = flagAddresses.length > 0 ? undefined : topLevel('listen_address');
  const web = topLevel('web_config_file');

  const config: ExporterConfig = {
    servers,
    listen: listen?.value === undefined ? flagAddresses : [listen.value],
    listenSetting: listen === undefined ? '--web.listen-address' : listen.setting,
    telemetryPath: topLevel('telemetry_path').value ?? TOP_LEVEL_SETTINGS.telemetry_path.default,
    logLevel: topLevel('log_level').value ?? TOP_LEVEL_SETTINGS.log_level.default,
    logFormat: topLevel('log_format').value ?? TOP_LEVEL_SETTINGS.log_format.default,
    shard: parseShard(env),
    // A path in the file is relative to the file, as every other path there.
    webConfigFile:
      web.value !== undefined && web.fromFile === true && configFile !== undefined
        ? resolve(dirname(configFile), web.value)
        : web.value,
  };
  return {
    config: deepFreeze(config),
    warnings,
    source: configFile === undefined ? 'environment' : configFile,
  };
}

/** With a file, the servers come from it only: VB365_* server variables set beside it are named as ignored. */
function fromFile(configFile: string, env: Env): { servers: ServerConfig[]; file: Raw; warnings: string[] } {
  const file = readYamlMapping(configFile, {
    flag: '--config',
    expected: 'a YAML mapping with a servers list',
    emptyIsMapping: false,
  });
  const ignored = Object.values(SERVER_SETTINGS)
    .map((setting) => setting.env)
    .filter((name) => env[name] !== undefined);
  return {
    servers: serversFromFile(file, configFile),
    file,
    warnings: ignored.length > 0 ? [`${configFile} defines the servers; ignoring ${ignored.join(', ')}`] : [],
  };
}

type TopLevelValue<K extends TopLevelKey> = z.output<(typeof TOP_LEVEL_SETTINGS)[K]['value']>;
interface TopLevelSetting<K extends TopLevelKey> {
  readonly value: TopLevelValue<K> | undefined;
  /** As the user wrote it, for messages. */
  readonly setting: string;
  readonly fromFile?: boolean;
}

/** A top-level setting: a flag, then its environment variable, then the file, then the default. */
function topLevelSettings(
  commandLine: CommandLine,
  env: Env,
  file: Raw,
  configFile: string | undefined,
): <K extends TopLevelKey>(key: K) => TopLevelSetting<K> {
  const flags: Readonly<Record<TopLevelKey, string | undefined>> = {
    listen_address: undefined, // repeatable, handled by the caller
    telemetry_path: commandLine.telemetryPath,
    log_level: commandLine.logLevel,
    log_format: commandLine.logFormat,
    web_config_file: commandLine.webConfigFile,
  };
  return <K extends TopLevelKey>(key: K): TopLevelSetting<K> => {
    const setting = TOP_LEVEL_SETTINGS[key];
    const given = flags[key];
    const [value, name, fromFile] =
      given !== undefined
        ? [given, `--${setting.flag}`, false]
        : env[setting.env] !== undefined
          ? [env[setting.env], setting.env, false]
          : [file[key] ?? ('default' in setting ? setting.default : undefined), `${key} (${configFile ?? ''})`, true];
    if (value === undefined) return { value: undefined, setting: name };
    const parsed = parseOrThrow(setting.value, value, { settingAt: () => name }) as TopLevelValue<K>;
    return { value: parsed, setting: name, fromFile };
  };
}

/** Without a file, one server from the VB365_* variables. */
function serverFromEnvironment(env: Env): ServerConfig {
  const keys = Object.keys(SERVER_SETTINGS) as ServerKey[];
  const raw = Object.fromEntries(keys.map((key) => [key, env[SERVER_SETTINGS[key].env]]));
  const envName = (path: readonly PropertyKey[]): string =>
    SERVER_SETTINGS[path[0] as ServerKey]?.env ?? 'VB365_* variables';
  const settings = parseOrThrow(serverSchema, raw, { settingAt: envName, secretAt: isSecret });
  return serverConfig(settings, (key) => SERVER_SETTINGS[key].env);
}

function serversFromFile(file: Raw, configFile: string): ServerConfig[] {
  const settingAt = (path: readonly PropertyKey[]): string => {
    const [first, index, key] = path;
    if (first !== 'servers' || index === undefined) return `${String(first ?? 'servers')} (${configFile})`;
    return `servers[${String(index)}]${key === undefined ? '' : `.${String(key)}`} (${configFile})`;
  };
  const parsed = parseOrThrow(configFileSchema, file, {
    settingAt,
    secretAt: (path) => path[0] === 'servers' && isSecret(path.slice(2)),
  });
  const servers = parsed.servers.map((settings, index) =>
    // File paths in the file are relative to the file, as in Prometheus' own configuration.
    serverConfig(relativeTo(dirname(configFile), settings), (key) => `servers[${index}].${key} (${configFile})`),
  );
  servers.forEach((server, index) => {
    if (servers.findIndex((other) => other.name === server.name) !== index) {
      throw new ConfigError(
        `servers[${index}].name (${configFile})`,
        'a name no other server has',
        JSON.stringify(server.name),
      );
    }
  });
  return servers;
}

function isSecret(path: readonly PropertyKey[]): boolean {
  const setting: { readonly secret?: true } | undefined = SERVER_SETTINGS[path[0] as ServerKey];
  return setting?.secret === true;
}

function relativeTo(base: string, settings: ServerSettings): ServerSettings {
  const resolved: Record<string, unknown> = { ...settings };
  for (const [key, setting] of Object.entries(SERVER_SETTINGS)) {
    const value = resolved[key];
    if ('path' in setting && typeof value === 'string') resolved[key] = resolve(base, value);
  }
  return resolved as ServerSettings;
}

/** The checked settings of one server, with its password and CA read from where they point. */
function serverConfig(settings: ServerSettings, setting: (key: ServerKey) => string): ServerConfig {
  return {
    name: settings.name ?? new URL(settings.url).host,
    url: settings.url,
    apiVersion: settings.api_version,
    username: settings.username,
    password: readPassword(settings, setting),
    organizations: settings.organizations,
    ca: settings.ca_file === undefined ? undefined : readPemFile(settings.ca_file, setting('ca_file')),
    caFile: settings.ca_file,
    tlsInsecure: settings.tls_insecure,
    pollIntervalSeconds: settings.poll_interval,
    pollConcurrency: settings.poll_concurrency,
    requestTimeoutSeconds: settings.request_timeout,
    settingNames: { url: setting('url'), caFile: setting('ca_file'), tlsInsecure: setting('tls_insecure') },
    maxResponseBytes: settings.max_response_bytes,
    collection: settings.collection,
    verificationCycles: settings.collection_verification_cycles,
  };
}

function readPassword(settings: ServerSettings, setting: (key: ServerKey) => string): string {
  const { password, password_file: file } = settings;
  if (password !== undefined && file !== undefined) {
    throw new ConfigError(setting('password'), `either it or ${setting('password_file')}, not both`);
  }
  if (file !== undefined) {
    // Secret files usually end with a newline that is not part of the password.
    const text = readText(file, setting('password_file'), 'a readable file holding the password').replace(/\r?\n$/, '');
    if (text.trim() === '')
      throw new ConfigError(setting('password_file'), 'a file holding a non-empty password', describeValue(text, true));
    return text;
  }
  if (password === undefined) {
    throw new ConfigError(setting('password'), `a password (or ${setting('password_file')})`);
  }
  return password;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
