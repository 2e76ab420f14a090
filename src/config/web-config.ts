/**
 * The web configuration file (`--web.config.file`, VB365_WEB_CONFIG_FILE): TLS, basic auth and extra
 * response headers for the exporter's own HTTP server, in the prometheus/exporter-toolkit format, plus
 * this exporter's `unauthenticated_paths`.
 *
 * Decoded strictly with a zod schema, as blackbox_exporter does: an unknown key, a file that cannot be read, a key that
 * does not belong to its certificate or a password that is not a bcrypt hash is a ConfigError naming
 * the setting. Relative file paths are relative to the web config file. Read at start-up, and every few
 * seconds after by the CertificateWatcher, which applies new certificate, key and client CA files.
 *
 * Mapped to Node/OpenSSL: cipher_suites (Go names, TLS 1.2 and lower; TLS 1.3 names are accepted and
 * ignored, as Go does), curve_preferences, prefer_server_cipher_suites (honorCipherOrder), min_version,
 * max_version. Accepted and ignored: http_server_config.http2 (the server speaks HTTP/1.1).
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { validateHeaderValue } from 'node:http';
import { isIPv6 } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createSecureContext, type SecureVersion } from 'node:tls';
import { z } from 'zod';
import { ConfigError, describeValue } from './errors.js';
import { parseCertificates } from './files.js';
import { parseOrThrow } from './issues.js';
import { strictMapping, withoutNulls } from './schema.js';
import { oneOf, text } from './values.js';
import { readYamlMapping } from './yaml-file.js';

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

export interface TlsServerSettings {
  /** PEM: the server certificate (and any intermediates after it). */
  readonly cert: string;
  /** PEM private key of `cert`. */
  readonly key: string;
  readonly clientAuthType: ClientAuthType;
  /** PEM of the CAs client certificates are verified against. */
  readonly clientCa: string | undefined;
  /** A client certificate must carry one of these SANs (DNS, IP, e-mail or URI), exactly. */
  readonly clientAllowedSans: readonly string[] | undefined;
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
  /** OpenSSL cipher list for TLS 1.2 and lower; undefined keeps Node's default. */
  readonly ciphers: string | undefined;
  readonly honorCipherOrder: boolean;
  /** OpenSSL group list, e.g. `X25519:P-256`; undefined keeps Node's default. */
  readonly ecdhCurve: string | undefined;
}

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

const TLS_VERSIONS: Readonly<Record<string, SecureVersion>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};
const VERSION_ORDER: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Go's crypto/tls CipherSuites() names (what exporter-toolkit accepts) and their OpenSSL names. */
const CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
/** TLS 1.3 suites are not configurable in Go either: accepted, ignored. */
const TLS13_SUITES: readonly string[] = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
];

const CURVES: Readonly<Record<string, string>> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
};

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

function mapping<T extends z.ZodRawShape>(shape: T, expected: string) {
  return z.preprocess(withoutNulls, strictMapping(shape, expected));
}

function stringList(expected: string) {
  return z.array(text(expected), { error: expected });
}

const tlsSchema = mapping(
  {
    cert: text('a PEM certificate').optional(),
    key: text('a PEM private key').optional(),
    client_ca: text('a PEM file of CA certificates').optional(),
    cert_file: text('a path to a PEM certificate').optional(),
    key_file: text('a path to a PEM private key').optional(),
    client_auth_type: z
      // "RequireClientCert" is exporter-toolkit's old name, still accepted there.
      .enum([...CLIENT_AUTH_TYPES, 'RequireClientCert'], { error: `one of ${CLIENT_AUTH_TYPES.join(', ')}` })
      .transform((type): ClientAuthType => (type === 'RequireClientCert' ? 'RequireAnyClientCert' : type))
      .optional(),
    client_ca_file: text('a path to a PEM file of CA certificates').optional(),
    client_allowed_sans: stringList('a list of SANs (DNS names, IP addresses, e-mail addresses or URIs)').optional(),
    min_version: oneOf(tlsVersionNames()).optional(),
    max_version: oneOf(tlsVersionNames()).optional(),
    cipher_suites: z
      .array(
        z.enum([...Object.keys(CIPHER_SUITES), ...TLS13_SUITES], {
          error:
            "Go cipher suite names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (those of Go's tls.CipherSuites())",
        }),
        { error: 'a list of Go cipher suite names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' },
      )
      .optional(),
    prefer_server_cipher_suites: z.boolean({ error: 'true or false' }).optional(),
    curve_preferences: z
      .array(z.enum(Object.keys(CURVES), { error: `curves among ${Object.keys(CURVES).join(', ')}` }), {
        error: `a list of ${Object.keys(CURVES).join(', ')}`,
      })
      .optional(),
  },
  'a mapping of TLS settings',
);

const webConfigSchema = mapping(
  {
    tls_server_config: tlsSchema.optional(),
    http_server_config: mapping(
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
type TlsSection = z.output<typeof tlsSchema>;

function tlsVersionNames(): [string, ...string[]] {
  const [first, ...rest] = Object.keys(TLS_VERSIONS);
  return [first ?? 'TLS12', ...rest];
}

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

function parseTls(
  tls: TlsSection,
  where: (key: string) => string,
  base: string,
  warnings: string[],
  now: Date,
): TlsServerSettings | undefined {
  const at = (key: string): string => where(`tls_server_config.${key}`);
  if (Object.values(tls).every((value) => value === undefined)) return undefined;
  const get = (key: string): unknown => (tls as Readonly<Record<string, unknown>>)[key];

  const certPem = inlineOrFile(get, 'cert', 'cert_file', at, base, 'a PEM certificate', false);
  if (certPem === undefined)
    throw new ConfigError(at('cert_file'), 'a certificate file (or cert) when tls_server_config is set');
  const keyPem = inlineOrFile(get, 'key', 'key_file', at, base, 'a PEM private key', true);
  if (keyPem === undefined)
    throw new ConfigError(at('key_file'), 'a private key file (or key) when tls_server_config is set');
  const certKey = get('cert') === undefined ? 'cert_file' : 'cert';
  const certSetting = at(certKey);
  const keySetting = at(get('key') === undefined ? 'key_file' : 'key');
  const certificate = parseCertificates(certPem.text, certSetting, certPem.shown)[0];
  if (certificate === undefined)
    throw new ConfigError(certSetting, 'a PEM certificate', `${certPem.shown} (no certificate in it)`);
  const privateKey = parsePrivateKey(keyPem.text, keySetting, keyPem.shown);
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError(
      keySetting,
      `the private key of the certificate in tls_server_config.${certKey}`,
      'the key of another certificate',
    );
  }
  if (new Date(certificate.validTo).getTime() < now.getTime())
    warnings.push(`${certSetting}: the certificate expired on ${certificate.validTo}`);

  const clientAuthType = tls.client_auth_type ?? 'NoClientCert';

  const caPem = inlineOrFile(get, 'client_ca', 'client_ca_file', at, base, 'a PEM file of CA certificates', false);
  const caKey = get('client_ca') === undefined ? 'client_ca_file' : 'client_ca';
  if (caPem !== undefined && parseCertificates(caPem.text, at(caKey), caPem.shown).length === 0) {
    throw new ConfigError(
      at(caKey),
      'a PEM file with at least one CA certificate',
      `${caPem.shown} (no certificate in it)`,
    );
  }
  const verifies = clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert';
  if (verifies && caPem === undefined) {
    throw new ConfigError(
      at('client_ca_file'),
      `a CA file to verify client certificates with (client_auth_type ${clientAuthType})`,
    );
  }
  if (caPem !== undefined && clientAuthType === 'NoClientCert') {
    // exporter-toolkit refuses this too: a CA that is never used looks like protection and is none.
    throw new ConfigError(
      at('client_auth_type'),
      `a type that asks for client certificates when ${caKey} is set, usually RequireAndVerifyClientCert`,
      describeValue(get('client_auth_type')),
    );
  }

  const clientAllowedSans = tls.client_allowed_sans;
  // Only a verified certificate's SANs mean anything: anyone can make an unverified one with any SAN.
  if (clientAllowedSans !== undefined && clientAuthType !== 'RequireAndVerifyClientCert') {
    throw new ConfigError(
      at('client_allowed_sans'),
      'client_auth_type RequireAndVerifyClientCert with it',
      describeValue(clientAuthType),
    );
  }

  const minVersion = TLS_VERSIONS[tls.min_version ?? 'TLS12'] ?? 'TLSv1.2';
  const maxVersion = TLS_VERSIONS[tls.max_version ?? 'TLS13'] ?? 'TLSv1.3';
  if (VERSION_ORDER.indexOf(maxVersion) < VERSION_ORDER.indexOf(minVersion)) {
    throw new ConfigError(
      at('max_version'),
      `a version no lower than min_version ${describeValue(get('min_version') ?? 'TLS12')}`,
      describeValue(get('max_version')),
    );
  }

  const ciphers = tls.cipher_suites
    ?.filter((suite) => !TLS13_SUITES.includes(suite))
    .map((suite) => CIPHER_SUITES[suite] ?? suite);
  const curves = tls.curve_preferences?.map((curve) => CURVES[curve] ?? curve);
  const prefer = tls.prefer_server_cipher_suites ?? true;

  const settings: TlsServerSettings = {
    cert: certPem.text,
    key: keyPem.text,
    clientAuthType,
    clientCa: caPem?.text,
    clientAllowedSans: clientAllowedSans === undefined ? undefined : Object.freeze(clientAllowedSans.map(normalizeSan)),
    minVersion,
    maxVersion,
    // Only TLS 1.3 suites were listed: TLS 1.2 keeps its defaults, as in Go.
    ciphers: ciphers === undefined || ciphers.length === 0 ? undefined : ciphers.join(':'),
    honorCipherOrder: prefer,
    ecdhCurve: curves === undefined || curves.length === 0 ? undefined : curves.join(':'),
  };
  // Whatever OpenSSL itself would refuse (a suite it lacks, for example) is refused now rather than at the first connection.
  try {
    createSecureContext(secureContextOptions(settings));
  } catch (error) {
    throw new ConfigError(
      where('tls_server_config'),
      'settings OpenSSL accepts',
      (error as Error).message.split('\n')[0] ?? 'refused',
    );
  }
  return Object.freeze(settings);
}

/** The node:tls options a TlsServerSettings stands for (client certificate policy aside). */
export function secureContextOptions(settings: TlsServerSettings): {
  cert: string;
  key: string;
  ca?: string;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  ciphers?: string;
  honorCipherOrder: boolean;
  ecdhCurve?: string;
} {
  return {
    cert: settings.cert,
    key: settings.key,
    ...(settings.clientCa === undefined ? {} : { ca: settings.clientCa }),
    minVersion: settings.minVersion,
    maxVersion: settings.maxVersion,
    ...(settings.ciphers === undefined ? {} : { ciphers: settings.ciphers }),
    honorCipherOrder: settings.honorCipherOrder,
    ...(settings.ecdhCurve === undefined ? {} : { ecdhCurve: settings.ecdhCurve }),
  };
}

/** IPv6 SANs are compared in their canonical form; everything else exactly. */
export function normalizeSan(san: string): string {
  return isIPv6(san) ? new URL(`http://[${san}]/`).hostname.slice(1, -1) : san;
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

/** `inlineKey` (PEM text in the file) or `fileKey` (a path), never both; `shown` describes it in messages. */
function inlineOrFile(
  get: (key: string) => unknown,
  inlineKey: string,
  fileKey: string,
  at: (key: string) => string,
  base: string,
  expected: string,
  secret: boolean,
): { text: string; shown: string } | undefined {
  const inline = get(inlineKey);
  const path = get(fileKey);
  if (inline !== undefined && path !== undefined)
    throw new ConfigError(at(inlineKey), `either it or ${at(fileKey)}, not both`);
  if (inline !== undefined) {
    if (typeof inline !== 'string' || inline.trim() === '')
      throw new ConfigError(at(inlineKey), expected, describeValue(inline, secret));
    return { text: inline, shown: secret ? 'a value that is not shown' : 'the inline value' };
  }
  if (path === undefined) return undefined;
  if (typeof path !== 'string' || path.trim() === '')
    throw new ConfigError(at(fileKey), `a path to ${expected}`, describeValue(path));
  const absolute = resolve(base, path);
  try {
    return { text: readFileSync(absolute, 'utf8'), shown: JSON.stringify(absolute) };
  } catch (error) {
    throw new ConfigError(
      at(fileKey),
      `a readable file holding ${expected}`,
      `${JSON.stringify(absolute)} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
}

function parsePrivateKey(pem: string, setting: string, shown: string): KeyObject {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new ConfigError(setting, 'an unencrypted PEM private key', `${shown} (an encrypted key)`);
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new ConfigError(setting, 'an unencrypted PEM private key', `${shown} (not a private key)`);
  }
}
