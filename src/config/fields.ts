/**
 * Parsers for single settings. Each accepts what YAML gives (numbers, booleans, lists) and what the
 * environment gives (strings), and throws a ConfigError naming the setting when the value is wrong.
 */
import { UUID_PATTERN } from '../uuid.js';
import { formatDuration, parseDurationMs } from './duration.js';
import { ConfigError, describeValue } from './errors.js';
import {
  API_VERSIONS,
  LOG_FORMATS,
  LOG_LEVELS,
  type ApiVersion,
  type ListenAddress,
  type LogFormat,
  type LogLevel,
} from './types.js';

export function requiredString(value: unknown, setting: string, expected: string, secret = false): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(setting, expected, describeValue(value, secret));
  }
  return value;
}

export function optionalString(value: unknown, setting: string, expected: string): string | undefined {
  return value === undefined ? undefined : requiredString(value, setting, expected);
}

export function wholeNumber(value: unknown, setting: string, min: number, max: number, unit: string): number {
  const expected = `a whole number of ${unit} from ${min} to ${max}`;
  const parsed = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(setting, expected, describeValue(value));
  }
  return parsed;
}

/** A time setting: a Prometheus duration (`30s`, `5m`, `1h30m`) or whole seconds, within [min, max] seconds. */
export function durationSeconds(value: unknown, setting: string, minSeconds: number, maxSeconds: number): number {
  const expected = `a duration such as 30s, 5m or 1h30m (or whole seconds) from ${formatDuration(minSeconds * 1000)} to ${formatDuration(maxSeconds * 1000)}`;
  const ms =
    typeof value === 'number' && Number.isInteger(value)
      ? value * 1000
      : typeof value === 'string'
        ? parseDurationMs(value)
        : undefined;
  if (ms === undefined || ms < minSeconds * 1000 || ms > maxSeconds * 1000) {
    throw new ConfigError(setting, expected, describeValue(value));
  }
  return ms / 1000;
}

export function boolean(value: unknown, setting: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  throw new ConfigError(setting, 'true or false', describeValue(value));
}

export function apiVersion(value: unknown, setting: string): ApiVersion {
  const found = API_VERSIONS.find((version) => version === value);
  if (found === undefined) throw new ConfigError(setting, `one of ${API_VERSIONS.join(', ')}`, describeValue(value));
  return found;
}

export function logLevel(value: unknown, setting: string): LogLevel {
  const found = LOG_LEVELS.find((level) => level === value);
  if (found === undefined) throw new ConfigError(setting, `one of ${LOG_LEVELS.join(', ')}`, describeValue(value));
  return found;
}

export function logFormat(value: unknown, setting: string): LogFormat {
  const found = LOG_FORMATS.find((format) => format === value);
  if (found === undefined) throw new ConfigError(setting, `one of ${LOG_FORMATS.join(', ')}`, describeValue(value));
  return found;
}

/** The path of the metrics: absolute, and none of the exporter's other paths. */
export function telemetryPath(value: unknown, setting: string): string {
  const expected = 'a path starting with / other than /, /healthz and /readyz';
  const text = requiredString(value, setting, expected);
  if (!/^\/[^\s?#]+$/.test(text) || ['/healthz', '/readyz'].includes(text)) {
    throw new ConfigError(setting, expected, describeValue(value));
  }
  return text;
}

/** `https://host:port` (a path prefix is allowed for reverse proxies); returned without a trailing slash. */
export function baseUrl(value: unknown, setting: string): string {
  const expected = 'an http(s) URL such as https://vb365.example.com:4443';
  const text = requiredString(value, setting, expected);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(setting, expected, describeValue(value));
  }
  // First, so that no later message repeats a password written into the URL.
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    // Credentials in the URL would end up in logs and labels: they belong in username/password.
    throw new ConfigError(setting, `${expected}, without credentials, query or fragment`, 'a URL with some of them');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigError(setting, expected, describeValue(value));
  if (/\/v[6-8]$/i.test(url.pathname.replace(/\/+$/, ''))) {
    // The exporter adds the version itself (/v8/Organizations...): a versioned base would ask for /v8/v8/...
    throw new ConfigError(
      setting,
      `${expected}, without the API version (the exporter adds /v6, /v7 or /v8 itself; set api_version)`,
      describeValue(value),
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A YAML list or a comma-separated string of organization IDs (UUIDs), lower-cased and de-duplicated. */
export function organizationIds(value: unknown, setting: string): string[] {
  if (value === undefined || value === null) return [];
  const items =
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
      : value;
  const expected = 'organization IDs (UUIDs), comma-separated or as a list';
  if (!Array.isArray(items)) throw new ConfigError(setting, expected, describeValue(value));
  const ids = new Set<string>();
  for (const item of items) {
    if (typeof item !== 'string' || !UUID_PATTERN.test(item.trim()))
      throw new ConfigError(setting, expected, describeValue(item));
    ids.add(item.trim().toLowerCase());
  }
  return [...ids];
}

/** `host:port`, `:port` or `[ipv6]:port`. */
export function listenAddress(value: unknown, setting: string): ListenAddress {
  const expected = 'host:port or :port with a port from 0 to 65535';
  const text = requiredString(value, setting, expected);
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = match === null ? Number.NaN : Number(match[3]);
  if (match === null || port > 65535) throw new ConfigError(setting, expected, describeValue(value));
  return { host: match[1] ?? match[2] ?? '', port };
}
