/**
 * The whole configuration: the exporter's (flags, environment, file) and the web configuration it names.
 * Both are read and checked here, before anything listens (a broken web config must never leave
 * /metrics unprotected), at start-up, for --config.check and again, whole, at each reload: this is the
 * one place the web configuration is loaded. (The CertificateWatcher re-reads its TLS files to follow them.)
 */
import type { CommandLine } from './args.js';
import { loadConfig } from './load.js';
import type { Env, ExporterConfig } from './types.js';
import { loadWebConfig, type WebConfig } from './web-config.js';

export interface Configuration {
  readonly config: ExporterConfig;
  /** What `config.webConfigFile` holds; undefined without one. */
  readonly webConfig: WebConfig | undefined;
  /** Things worth a log line once the logger exists (the web config's own are in `webConfig.warnings`). */
  readonly warnings: readonly string[];
}

export interface LoadedConfiguration extends Configuration {
  /** Where it came from, for --config.check and the start-up log. */
  readonly source: string;
}

export function loadConfiguration(commandLine: CommandLine, env: Env): LoadedConfiguration {
  const { config, warnings, source } = loadConfig(commandLine, env);
  const file = config.webConfigFile;
  return { config, webConfig: file === undefined ? undefined : loadWebConfig(file), warnings, source };
}

/**
 * Refuses a web configuration other than the one `config` names: a configured file is never silently
 * ignored, whoever starts the exporter.
 */
export function checkWebConfigGiven(config: ExporterConfig, webConfig: WebConfig | undefined): void {
  if (config.webConfigFile === webConfig?.file) return;
  throw new Error(
    `the web configuration of ${JSON.stringify(config.webConfigFile ?? 'none')} must be loaded and given with it (loadConfiguration), got ${JSON.stringify(webConfig?.file ?? 'none')}`,
  );
}
