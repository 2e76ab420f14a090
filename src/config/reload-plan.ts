/**
 * What a reload changes: servers are compared whole, by name (a server whose settings did not change
 * keeps everything it has), and the settings that only a restart applies are named for the log.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ExporterConfig, ServerConfig } from './types.js';

export interface ReloadPlan {
  /** Servers the new configuration adds. */
  readonly added: readonly ServerConfig[];
  /** Servers whose settings changed, with their new settings: each restarts alone. */
  readonly changed: readonly ServerConfig[];
  /** Names of servers the new configuration no longer has. */
  readonly removed: readonly string[];
  /** Names of servers left exactly as they are. */
  readonly unchanged: readonly string[];
  /** Settings that changed but apply only at the next start, as the user would name them. */
  readonly needRestart: string[];
}

/**
 * Two servers' settings are the same when all but the names of the settings are: moving a server up the
 * file renames `servers[1].url` to `servers[0].url`, which is no reason to restart it.
 */
function sameSettings(a: ServerConfig | undefined, b: ServerConfig): boolean {
  return a !== undefined && isDeepStrictEqual({ ...a, settingNames: undefined }, { ...b, settingNames: undefined });
}

export function planReload(current: ExporterConfig, next: ExporterConfig): ReloadPlan {
  const before = new Map(current.servers.map((server) => [server.name, server]));
  const after = new Set(next.servers.map((server) => server.name));
  const needRestart = [
    ...(isDeepStrictEqual(current.listen, next.listen) ? [] : ['the listen addresses (--web.listen-address)']),
    ...(current.telemetryPath === next.telemetryPath ? [] : ['the telemetry path (--web.telemetry-path)']),
    ...(current.logLevel === next.logLevel ? [] : ['the log level (--log.level)']),
    ...(current.logFormat === next.logFormat ? [] : ['the log format (--log.format)']),
    ...(current.webConfigFile === next.webConfigFile ? [] : ['the web config file (--web.config.file)']),
  ];
  return {
    added: next.servers.filter((server) => !before.has(server.name)),
    changed: next.servers.filter((server) => {
      const old = before.get(server.name);
      return old !== undefined && !sameSettings(old, server);
    }),
    removed: current.servers.filter((server) => !after.has(server.name)).map((server) => server.name),
    unchanged: next.servers
      .filter((server) => sameSettings(before.get(server.name), server))
      .map((server) => server.name),
    needRestart,
  };
}
