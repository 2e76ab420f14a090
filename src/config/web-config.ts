/**
 * The web configuration file (`--web.config.file`, VB365_WEB_CONFIG_FILE): TLS (tls-server-config.ts),
 * basic auth and extra response headers for the exporter's own HTTP server, in the
 * prometheus/exporter-toolkit format, plus this exporter's `unauthenticated_paths`.
 *
 * Decoded strictly with a zod schema, as blackbox_exporter does: an unknown key, a file that cannot be
 * read or a password that is not a bcrypt hash is a ConfigError naming the setting. Read at start-up
 * (loadConfiguration), and every few seconds after by the CertificateWatcher, which applies new
 * certificate, key and client CA files. Accepted and ignored: http_server_config.http2 (the server
 * speaks HTTP/1.1).
 */
import { validateHeaderValue } from 'node:http';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConfigError, describeValue } from './errors.js';
import { parseOrThrow } from './issues.js';
import { settingsMapping } from './schema.js';
import { parseTls, tlsSchema, type TlsServerSettings } from './tls-server-config.js';
import { readYamlMapping } from './yaml-file.js';

export interface WebConfig {
  /** The file it was read from, for logs. */
  readonly file: string;
  /** HTTPS when set, plain HTTP otherwise. */
  readonly tls: TlsServerSettings | undefined;
  /** User name to bcrypt hash; empty means no basic auth. */
  readonly users: ReadonlyMap<string, string>;
  /** Extra headers on every response (names as written in the file). */
  readonly headers: Readonly<Record<string, string>>;
  /** Exact request paths served without basic auth. */
  readonly unauthenticatedPaths: readonly string[];
  /** Things worth a log line once the logger exists. */
  readonly warnings: readonly string[];
}

/** `$2a$`, `$2b$` or `$2y$`, a cost from 04 to 31, 22 characters of salt and 31 of hash. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/** Headers the exporter sets itself (protocol, caching, authentication): not configurable. */
const RESERVED_HEADERS: readonly string[] = [
  'cache-control',
  'connection',
  'content-encoding',
  'content-length',
  'content-type',
  'date',
  'keep-alive',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'vary',
  'www-authenticate',
];
/** Headers exporter-toolkit validates the value of (case-insensitively here). */
const ENUMERATED_HEADERS: Readonly<Record<string, readonly string[]>> = {
  'x-content-type-options': ['nosniff'],
  'x-frame-options': ['deny', 'sameorigin'],
};
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const webConfigSchema = settingsMapping(
  {
    tls_server_config: tlsSchema.optional(),
    http_server_config: settingsMapping(
      {
        http2: z.boolean({ error: 'true or false' }).optional(),
        headers: z.record(z.string(), z.unknown(), { error: 'a mapping of header names to values' }).optional(),
      },
      'a mapping of HTTP server settings',
    ).optional(),
    basic_auth_users: z
      .record(
        z.string(),
        // Never echoed (secretAt): it may be a plain-text password put there by mistake.
        z.string().regex(BCRYPT_HASH, {
          error: 'a bcrypt hash ($2a$, $2b$ or $2y$, e.g. from htpasswd -nBC 10 "" | tr -d \':\\n\')',
        }),
        { error: 'a mapping of user names to bcrypt hashes' },
      )
      .optional(),
    unauthenticated_paths: z
      .array(
        z.string({ error: 'a list of URL paths such as /healthz' }).regex(/^\/[^?#\s]*$/, {
          error: 'a URL path starting with / (no query, no fragment)',
        }),
        { error: 'a list of URL paths such as /healthz' },
      )
      .optional(),
  },
  `a YAML mapping of tls_server_config, http_server_config, basic_auth_users, unauthenticated_paths`,
);
export function loadWebConfig(file: string, now: Date = new Date()): WebConfig {
  const where = (key: string): string => `${key} (${file})`;
  const base = dirname(file);
  const warnings: string[] = [];
  const raw = readYamlMapping(file, {
    flag: '--web.config.file',
    expected: 'a YAML mapping of tls_server_config, http_server_config, basic_auth_users, unauthenticated_paths',
    emptyIsMapping: true,
  });
  if (Object.keys(raw).length === 0) warnings.push(`web config ${file} is empty: no TLS, no basic auth`);
  if ('rate_limit' in raw) {
    throw new ConfigError(
      where('rate_limit'),
      'no rate_limit (exporter-toolkit rate limiting is not supported; rate-limit in a reverse proxy)',
      describeValue(raw['rate_limit']),
    );
  }
  const parsed = parseOrThrow(webConfigSchema, raw, {
    settingAt: (path) => (path.length === 0 ? `--web.config.file ${file}` : where(settingPath(path))),
    // A hash may be a plain-text password put there by mistake; an inline key is a private key.
    secretAt: (path) =>
      (path[0] === 'basic_auth_users' && path.length === 2) || (path[0] === 'tls_server_config' && path[1] === 'key'),
  });

  const tls =
    parsed.tls_server_config === undefined ? undefined : parseTls(parsed.tls_server_config, where, base, warnings, now);
  if (parsed.http_server_config?.http2 === true)
    warnings.push(`${where('http_server_config.http2')}: ignored, vb365-exporter serves HTTP/1.1`);
  const headers = checkHeaders(parsed.http_server_config?.headers ?? {}, where);
  const users = checkUsers(parsed.basic_auth_users ?? {}, where);
  const unauthenticatedPaths = parsed.unauthenticated_paths ?? [];

  if (users.size > 0 && tls === undefined)
    warnings.push(`${where('basic_auth_users')}: basic auth without tls_server_config sends passwords in clear text`);
  if (users.size === 0 && unauthenticatedPaths.length > 0)
    warnings.push(`${where('unauthenticated_paths')}: has no effect without basic_auth_users`);

  return Object.freeze({
    file,
    tls,
    users,
    headers: Object.freeze(headers),
    unauthenticatedPaths: Object.freeze(unauthenticatedPaths),
    warnings: Object.freeze(warnings),
  });
}

/** `tls_server_config.cipher_suites` for an item of a list; `unauthenticated_paths[1]`, whose items are settings each. */
function settingPath(path: readonly PropertyKey[]): string {
  if (path[0] === 'unauthenticated_paths' && typeof path[1] === 'number') return `unauthenticated_paths[${path[1]}]`;
  // A key that is not a plain word (a user name with a newline, say) is quoted, so the message stays one line.
  return path
    .filter((key) => typeof key === 'string')
    .map((key) => (/^[\w.-]+$/.test(key) ? key : JSON.stringify(key)))
    .join('.');
}

/** The checks of user names that a schema of record keys would word less clearly. */
function checkUsers(raw: Readonly<Record<string, string>>, where: (key: string) => string): Map<string, string> {
  const users = new Map<string, string>();
  for (const [user, hash] of Object.entries(raw)) {
    // A colon ends the user name in an Authorization header, so such a user could never log in.
    if (user === '' || user.includes(':') || [...user].some((char) => char < ' ' || char === '\u007f')) {
      throw new ConfigError(
        where('basic_auth_users'),
        'user names that are not empty and hold no ":" or control characters',
        describeValue(user),
      );
    }
    users.set(user, hash);
  }
  return users;
}

/** Header rules across entries (names are case-insensitive, some are the exporter's own, some enumerated). */
function checkHeaders(raw: Readonly<Record<string, unknown>>, where: (key: string) => string): Record<string, string> {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, headerValue] of Object.entries(raw)) {
    const at = where(`http_server_config.headers.${name}`);
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name))
      throw new ConfigError(where('http_server_config.headers'), 'HTTP header names', describeValue(name));
    if (seen.has(lower)) throw new ConfigError(at, 'a header named once (names are case-insensitive)', 'a second one');
    seen.add(lower);
    if (RESERVED_HEADERS.includes(lower))
      throw new ConfigError(
        at,
        `a header the exporter does not set itself (not one of ${RESERVED_HEADERS.join(', ')})`,
        'a reserved header',
      );
    if (typeof headerValue !== 'string' || headerValue.trim() === '' || !validHeaderValue(name, headerValue)) {
      throw new ConfigError(at, 'a non-empty header value without control characters', describeValue(headerValue));
    }
    const allowed = ENUMERATED_HEADERS[lower];
    if (allowed !== undefined && !allowed.includes(headerValue.toLowerCase()))
      throw new ConfigError(at, `one of ${allowed.join(', ')}`, describeValue(headerValue));
    headers[name] = headerValue;
  }
  return headers;
}

function validHeaderValue(name: string, value: string): boolean {
  try {
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}
