#!/usr/bin/env node
/** Wiring only: read the configuration, start the exporter, reload on SIGHUP, stop cleanly on SIGTERM/SIGINT. */
import type { Logger } from 'pino';
import { systemClock } from './clock.js';
import { USAGE, parseCommandLine, type CommandLine } from './config/args.js';
import { loadConfiguration, type LoadedConfiguration } from './config/configuration.js';
import { ConfigError } from './config/errors.js';
import type { WebConfig } from './config/web-config.js';
import { startExporter, type RunningExporter } from './exporter.js';
import { createLogger } from './logger.js';
import { VERSION } from './version.js';

const STOP_DEADLINE_MS = 4_000;

async function main(): Promise<void> {
  const read = readCommandLine();
  if (read === undefined) return;
  const { commandLine, loaded } = read;
  const logger = createLogger(loaded.config.logLevel, undefined, loaded.config.logFormat);
  // At once: Node's default for SIGHUP (what systemd's reload and a closed terminal send) is to exit.
  let exporter: RunningExporter | undefined = undefined; // set once started: a SIGHUP may come before
  process.on('SIGHUP', () => {
    if (exporter === undefined) return void logger.warn('SIGHUP while starting; not reloading');
    logger.info({ signal: 'SIGHUP' }, 'reloading the configuration');
    exporter.reload().catch((error: unknown) => logger.error({ err: error }, 'configuration reload failed'));
  });
  for (const warning of loaded.warnings) logger.warn(warning);
  logger.info({ version: VERSION, source: loaded.source }, 'starting');
  exporter = await startExporter(loaded.config, {
    logger,
    clock: systemClock,
    random: Math.random,
    version: VERSION,
    revision: process.env['VB365_EXPORTER_REVISION'] || undefined,
    webConfig: loaded.webConfig,
    reloadConfiguration: () => loadConfiguration(commandLine, process.env),
  }).catch((error: unknown) => {
    if (!(error instanceof ConfigError)) throw error;
    return exitInvalid(error);
  });
  stopOnSignals(exporter, logger);
}

/**
 * The command line and the whole configuration, read and checked before anything listens (a broken web
 * config must never leave /metrics unprotected); undefined when there is nothing to start (--help,
 * --version, --config.check, or a configuration refused with exit code 2).
 */
function readCommandLine(): { commandLine: CommandLine; loaded: LoadedConfiguration } | undefined {
  try {
    const commandLine = parseCommandLine(process.argv.slice(2));
    if (commandLine.help) return void process.stdout.write(USAGE);
    if (commandLine.version) return void process.stdout.write(`vb365-exporter ${VERSION}\n`);
    const loaded = loadConfiguration(commandLine, process.env);
    if (commandLine.checkConfig) return void process.stdout.write(describe(loaded));
    return { commandLine, loaded };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`vb365-exporter: invalid configuration: ${error.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
}

function exitInvalid(error: ConfigError): never {
  process.stderr.write(`vb365-exporter: invalid configuration: ${error.message}\n`);
  process.exit(2);
}

/** Stops on SIGTERM or SIGINT, never outliving the orchestrator's grace period, whatever hangs. */
function stopOnSignals(running: RunningExporter, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => {
      logger.error('could not stop in time; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    running.stop().then(
      () => {
        logger.info('stopped');
        process.exitCode = 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** The --config.check line: what would run, and where it would listen. */
function describe({ config, source, webConfig }: LoadedConfiguration): string {
  const servers = config.servers.map((server) => `${server.name} ${server.url} ${server.apiVersion}`).join('; ');
  const listen = config.listen.map((address) => `${address.host}:${address.port}`).join(', ');
  return `configuration OK (${source}): ${config.servers.length} server(s): ${servers}; listening on ${listen}${describeWeb(webConfig)}\n`;
}

function describeWeb(web: WebConfig | undefined): string {
  if (web === undefined) return '';
  return ` (${web.tls === undefined ? 'HTTP' : 'HTTPS'}, ${web.users.size === 0 ? 'no basic auth' : `basic auth for ${web.users.size} user(s)`})`;
}

main().catch((error: unknown) => {
  process.stderr.write(`vb365-exporter: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
