import { ConfigError } from './errors.js';

export interface CommandLine {
  readonly configFile: string | undefined;
  readonly webConfigFile: string | undefined;
  readonly checkConfig: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

const VALUE_FLAGS = ['--config', '--web.config.file'] as const;
const SWITCHES = ['--check-config', '--help', '-h', '--version'] as const;

export const USAGE = `Usage: vb365-exporter [--config FILE] [--web.config.file FILE] [--check-config] [--help] [--version]

Exports Veeam Backup for Microsoft 365 used space per organization and repository as Prometheus metrics.
Without --config, one server is configured from VB365_* environment variables (see README).

  --config FILE            YAML file listing one or more servers (or VB365_CONFIG_FILE)
  --web.config.file FILE   TLS and basic auth for the HTTP server (or VB365_WEB_CONFIG_FILE)
  --check-config           validate the configuration, print a summary and exit
  --version                print the version and exit
  --help                   print this text and exit
`;

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    if ((VALUE_FLAGS as readonly string[]).includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new ConfigError(flag, 'a file path after it');
      values.set(flag, value);
    } else if ((SWITCHES as readonly string[]).includes(flag) && inline === undefined) {
      switches.add(flag);
    } else {
      throw new ConfigError('command line', `one of ${[...VALUE_FLAGS, ...SWITCHES].join(', ')}`, JSON.stringify(arg));
    }
  }
  return {
    configFile: values.get('--config'),
    webConfigFile: values.get('--web.config.file'),
    checkConfig: switches.has('--check-config'),
    help: switches.has('--help') || switches.has('-h'),
    version: switches.has('--version'),
  };
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}
