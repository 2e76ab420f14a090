/**
 * The web configuration file (`--web.config.file`, VB365_WEB_CONFIG_FILE): TLS, basic auth and extra
 * response headers for the exporter's own HTTP server, in the prometheus/exporter-toolkit format, plus
 * this exporter's `unauthenticated_paths`.
 *
 * Decoded strictly, as blackbox_exporter does: an unknown key, a file that cannot be read, a key that
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
import { parse as parseYaml } from 'yaml';
import { parseCertificates } from '../config/files.js';
import { yamlErrorText } from '../config/yaml-error.js';
import { rejectUnknownKeys } from '../config/unknown-keys.js';
import { ConfigError, describeValue } from '../config/errors.js';

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

type Raw = Readonly<Record<string, unknown>>;

const TOP_LEVEL_KEYS = ['tls_server_config', 'http_server_config', 'basic_auth_users', 'unauthenticated_paths'];
const TLS_KEYS = [
  'cert',
  'key',
  'client_ca',
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_ca_file',
  'client_allowed_sans',
  'min_version',
  'max_version',
  'cipher_suites',
  'prefer_server_cipher_suites',
  'curve_preferences',
];
const HTTP_KEYS = ['http2', 'headers'];

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

export function loadWebConfig(file: string, now: Date = new Date()): WebConfig {
  const where = (key: string): string => `${key} (${file})`;
  const base = dirname(file);
  const warnings: string[] = [];
  const raw = readYaml(file);
  if (Object.keys(raw).length === 0) warnings.push(`web config ${file} is empty: no TLS, no basic auth`);
  if ('rate_limit' in raw) {
    throw new ConfigError(
      where('rate_limit'),
      'no rate_limit (exporter-toolkit rate limiting is not supported; rate-limit in a reverse proxy)',
      describeValue(raw['rate_limit']),
    );
  }
  rejectUnknownKeys(raw, TOP_LEVEL_KEYS, where);

  const tls = parseTls(
    section(raw['tls_server_config'], where('tls_server_config'), 'a mapping of TLS settings'),
    where,
    base,
    warnings,
    now,
  );
  const http = section(raw['http_server_config'], where('http_server_config'), 'a mapping of HTTP server settings');
  rejectUnknownKeys(http, HTTP_KEYS, (key) => where(`http_server_config.${key}`));
  if (http['http2'] !== undefined && http['http2'] !== null) {
    if (typeof http['http2'] !== 'boolean')
      throw new ConfigError(where('http_server_config.http2'), 'true or false', describeValue(http['http2']));
    if (http['http2']) warnings.push(`${where('http_server_config.http2')}: ignored, vb365-exporter serves HTTP/1.1`);
  }
  const headers = parseHeaders(http['headers'], where);
  const users = parseUsers(raw['basic_auth_users'], where);
  const unauthenticatedPaths = parsePaths(raw['unauthenticated_paths'], where);

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

function parseTls(
  raw: Raw,
  where: (key: string) => string,
  base: string,
  warnings: string[],
  now: Date,
): TlsServerSettings | undefined {
  const at = (key: string): string => where(`tls_server_config.${key}`);
  rejectUnknownKeys(raw, TLS_KEYS, at);
  if (Object.keys(raw).every((key) => raw[key] === undefined || raw[key] === null)) return undefined;
  const get = (key: string): unknown => (raw[key] === null ? undefined : raw[key]);

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

  const rawAuthType = get('client_auth_type') ?? 'NoClientCert';
  // "RequireClientCert" is exporter-toolkit's old name, still accepted there.
  const clientAuthType = CLIENT_AUTH_TYPES.find(
    (type) => type === (rawAuthType === 'RequireClientCert' ? 'RequireAnyClientCert' : rawAuthType),
  );
  if (clientAuthType === undefined)
    throw new ConfigError(at('client_auth_type'), `one of ${CLIENT_AUTH_TYPES.join(', ')}`, describeValue(rawAuthType));

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

  const clientAllowedSans = optionalStringList(
    get('client_allowed_sans'),
    at('client_allowed_sans'),
    'a list of SANs (DNS names, IP addresses, e-mail addresses or URIs)',
  );
  // Only a verified certificate's SANs mean anything: anyone can make an unverified one with any SAN.
  if (clientAllowedSans !== undefined && clientAuthType !== 'RequireAndVerifyClientCert') {
    throw new ConfigError(
      at('client_allowed_sans'),
      'client_auth_type RequireAndVerifyClientCert with it',
      describeValue(clientAuthType),
    );
  }

  const minVersion = tlsVersion(get('min_version') ?? 'TLS12', at('min_version'));
  const maxVersion = tlsVersion(get('max_version') ?? 'TLS13', at('max_version'));
  if (VERSION_ORDER.indexOf(maxVersion) < VERSION_ORDER.indexOf(minVersion)) {
    throw new ConfigError(
      at('max_version'),
      `a version no lower than min_version ${describeValue(get('min_version') ?? 'TLS12')}`,
      describeValue(get('max_version')),
    );
  }

  const suites = optionalStringList(
    get('cipher_suites'),
    at('cipher_suites'),
    'a list of Go cipher suite names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  );
  const ciphers = suites
    ?.filter((suite) => !TLS13_SUITES.includes(suite))
    .map((suite) => {
      const openssl = CIPHER_SUITES[suite];
      if (openssl === undefined)
        throw new ConfigError(
          at('cipher_suites'),
          "Go cipher suite names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (those of Go's tls.CipherSuites())",
          describeValue(suite),
        );
      return openssl;
    });
  const curves = optionalStringList(
    get('curve_preferences'),
    at('curve_preferences'),
    `a list of ${Object.keys(CURVES).join(', ')}`,
  )?.map((curve) => {
    const openssl = CURVES[curve];
    if (openssl === undefined)
      throw new ConfigError(
        at('curve_preferences'),
        `curves among ${Object.keys(CURVES).join(', ')}`,
        describeValue(curve),
      );
    return openssl;
  });
  const prefer = get('prefer_server_cipher_suites') ?? true;
  if (typeof prefer !== 'boolean')
    throw new ConfigError(at('prefer_server_cipher_suites'), 'true or false', describeValue(prefer));

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

function parseUsers(value: unknown, where: (key: string) => string): Map<string, string> {
  const users = new Map<string, string>();
  if (value === undefined || value === null) return users;
  const raw = section(value, where('basic_auth_users'), 'a mapping of user names to bcrypt hashes');
  for (const [user, hash] of Object.entries(raw)) {
    // A colon ends the user name in an Authorization header, so such a user could never log in.
    if (user === '' || user.includes(':') || [...user].some((char) => char < ' ' || char === '\u007f')) {
      throw new ConfigError(
        where('basic_auth_users'),
        'user names that are not empty and hold no ":" or control characters',
        describeValue(user),
      );
    }
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
      // Never echoed: it may be a plain-text password put there by mistake.
      throw new ConfigError(
        where(`basic_auth_users.${user}`),
        'a bcrypt hash ($2a$, $2b$ or $2y$, e.g. from htpasswd -nBC 10 "" | tr -d \':\\n\')',
        describeValue(hash, true),
      );
    }
    users.set(user, hash);
  }
  return users;
}

function parseHeaders(value: unknown, where: (key: string) => string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (value === undefined || value === null) return headers;
  const raw = section(value, where('http_server_config.headers'), 'a mapping of header names to values');
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

function parsePaths(value: unknown, where: (key: string) => string): string[] {
  const paths = optionalStringList(value, where('unauthenticated_paths'), 'a list of URL paths such as /healthz') ?? [];
  paths.forEach((path, index) => {
    if (!/^\/[^?#\s]*$/.test(path))
      throw new ConfigError(
        where(`unauthenticated_paths[${index}]`),
        'a URL path starting with / (no query, no fragment)',
        describeValue(path),
      );
  });
  return paths;
}

function optionalStringList(value: unknown, setting: string, expected: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ConfigError(setting, expected, describeValue(value));
  for (const item of value) {
    if (typeof item !== 'string' || item.trim() === '') throw new ConfigError(setting, expected, describeValue(item));
  }
  return value as string[];
}

function tlsVersion(value: unknown, setting: string): SecureVersion {
  const version = typeof value === 'string' ? TLS_VERSIONS[value] : undefined;
  if (version === undefined)
    throw new ConfigError(setting, `one of ${Object.keys(TLS_VERSIONS).join(', ')}`, describeValue(value));
  return version;
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

function section(value: unknown, setting: string, expected: string): Raw {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(setting, expected, describeValue(value));
  return value as Raw;
}

function readYaml(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      '--web.config.file',
      'a readable YAML file',
      `${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new ConfigError(`--web.config.file ${file}`, 'valid YAML', yamlErrorText(error, text));
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(
      `--web.config.file ${file}`,
      `a YAML mapping of ${TOP_LEVEL_KEYS.join(', ')}`,
      describeValue(parsed),
    );
  }
  return parsed as Raw;
}
