/**
 * The command line, spelled as node_exporter and blackbox_exporter spell theirs (`--config.file`,
 * `--web.listen-address`, `--log.level`, ...), read with node:util parseArgs. The older `--config` and
 * `--check-config` keep working. A flag wins over its environment variable and the file (see load.ts).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from './errors.js';

export interface CommandLine {
  readonly configFile: string | undefined;
  readonly webConfigFile: string | undefined;
  /** Every `--web.listen-address` given, in order; empty when none was. */
  readonly listenAddresses: readonly string[];
  readonly telemetryPath: string | undefined;
  readonly logLevel: string | undefined;
  readonly logFormat: string | undefined;
  readonly checkConfig: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

/** No flags at all: what the demo and tests pass when only the environment counts. */
export const NO_FLAGS: CommandLine = {
  configFile: undefined,
  webConfigFile: undefined,
  listenAddresses: [],
  telemetryPath: undefined,
  logLevel: undefined,
  logFormat: undefined,
  checkConfig: false,
  help: false,
  version: false,
};

const OPTIONS = {
  'config.file': { type: 'string' },
  config: { type: 'string' },
  'web.config.file': { type: 'string' },
  'web.listen-address': { type: 'string', multiple: true },
  'web.telemetry-path': { type: 'string' },
  'log.level': { type: 'string' },
  'log.format': { type: 'string' },
  'config.check': { type: 'boolean' },
  'check-config': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export const USAGE = `Usage: vb365-exporter [flags]

Exports Veeam Backup for Microsoft 365 used space per organization and repository as Prometheus metrics.
Without --config.file, one server is configured from VB365_* environment variables (see README).
A flag wins over its environment variable, which wins over the configuration file, which wins over the default.

  --config.file FILE              YAML file listing one or more servers (VB365_CONFIG_FILE; --config also works)
  --web.listen-address ADDRESS    host:port or :port to serve on; repeat it to serve on several
                                  (VB365_LISTEN_ADDRESS, listen_address; default :10365)
  --web.telemetry-path PATH       path of the metrics (VB365_TELEMETRY_PATH, telemetry_path; default /metrics)
  --web.config.file FILE          TLS and basic auth for the HTTP server (VB365_WEB_CONFIG_FILE, web_config_file)
  --log.level LEVEL               fatal, error, warn, info, debug, trace or silent (LOG_LEVEL, log_level; default info)
  --log.format FORMAT             json or logfmt (LOG_FORMAT, log_format; default json)
  --config.check                  validate the configuration, print a summary and exit (--check-config also works)
  --version                       print the version and exit
  -h, --help                      print this text and exit
`;

export function parseCommandLine(argv: readonly string[]): CommandLine {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw commandLineError(error);
  }
  const value = (name: string, given: string | undefined): string | undefined => {
    if (given === '') throw new ConfigError(`--${name}`, 'a value after it', 'nothing');
    return given;
  };
  const configFile = value('config.file', values['config.file']) ?? value('config', values.config);
  return {
    configFile,
    webConfigFile: value('web.config.file', values['web.config.file']),
    listenAddresses: (values['web.listen-address'] ?? []).map((address) => value('web.listen-address', address) ?? ''),
    telemetryPath: value('web.telemetry-path', values['web.telemetry-path']),
    logLevel: value('log.level', values['log.level']),
    logFormat: value('log.format', values['log.format']),
    checkConfig: values['config.check'] === true || values['check-config'] === true,
    help: values.help === true,
    version: values.version === true,
  };
}

/** parseArgs' errors as one line naming the flag: its code says which kind, its message names the flag. */
function commandLineError(error: unknown): ConfigError {
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-{1,2}[^\s'=]+)/.exec(message)?.[1];
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    return new ConfigError(flag, 'a value after it');
  }
  return new ConfigError('command line', 'one of the flags listed by --help', flag === undefined ? message : flag);
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
}
