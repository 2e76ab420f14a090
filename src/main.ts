#!/usr/bin/env node
/** Wiring only: read the configuration, start the exporter, reload on SIGHUP, stop cleanly on SIGTERM/SIGINT. */
import { systemClock } from './clock.js';
import { USAGE, parseCommandLine, type CommandLine } from './config/args.js';
import { ConfigError } from './config/errors.js';
import { loadConfig } from './config/load.js';
import { startExporter, type ReloadedConfiguration, type RunningExporter } from './exporter.js';
import { loadWebConfig, type WebConfig } from './config/web-config.js';
import { createLogger } from './logger.js';
import { VERSION } from './version.js';

const STOP_DEADLINE_MS = 4_000;

async function main(): Promise<void> {
  let loaded: Configuration;
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(process.argv.slice(2));
    if (commandLine.help) return void process.stdout.write(USAGE);
    if (commandLine.version) return void process.stdout.write(`vb365-exporter ${VERSION}\n`);
    // Before anything listens: a broken web config must never leave /metrics unprotected.
    loaded = readConfiguration(commandLine);
    if (commandLine.checkConfig) {
      const { servers, listen } = loaded.config;
      process.stdout.write(
        `configuration OK (${loaded.source}): ${servers.length} server(s): ${servers.map((server) => `${server.name} ${server.url} ${server.apiVersion}`).join('; ')}; listening on ${listen.map((address) => `${address.host}:${address.port}`).join(', ')}${describeWeb(loaded.webConfig)}\n`,
      );
      return;
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`vb365-exporter: invalid configuration: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }

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
  const running = await startExporter(loaded.config, {
    logger,
    clock: systemClock,
    random: Math.random,
    version: VERSION,
    revision: process.env['VB365_EXPORTER_REVISION'] || undefined,
    webConfig: loaded.webConfig,
    reloadConfiguration: () => readConfiguration(commandLine),
  }).catch((error: unknown) => {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`vb365-exporter: invalid configuration: ${error.message}\n`);
    process.exit(2);
  });

  exporter = running;

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // Never outlive the orchestrator's grace period, whatever hangs.
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

interface Configuration extends ReloadedConfiguration {
  /** Where it came from, for --config.check and the start-up log. */
  readonly source: string;
}

/** Both files, read and checked whole: at start-up, and again at each reload. */
function readConfiguration(commandLine: CommandLine): Configuration {
  const { config, warnings, source } = loadConfig(commandLine, process.env);
  const file = config.webConfigFile;
  return { config, webConfig: file === undefined ? undefined : loadWebConfig(file), warnings, source };
}

function describeWeb(web: WebConfig | undefined): string {
  if (web === undefined) return '';
  return ` (${web.tls === undefined ? 'HTTP' : 'HTTPS'}, ${web.users.size === 0 ? 'no basic auth' : `basic auth for ${web.users.size} user(s)`})`;
}

main().catch((error: unknown) => {
  process.stderr.write(`vb365-exporter: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
