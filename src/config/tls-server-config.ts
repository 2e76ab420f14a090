/**
 * The web configuration's `tls_server_config`, in the prometheus/exporter-toolkit format, checked and
 * mapped to Node/OpenSSL: cipher_suites (Go names, TLS 1.2 and lower; TLS 1.3 names are accepted and
 * ignored, as Go does), curve_preferences, prefer_server_cipher_suites (honorCipherOrder), min_version,
 * max_version. A file that cannot be read, a key that does not belong to its certificate or settings
 * OpenSSL refuses are a ConfigError naming the setting. Relative paths are relative to the web config file.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import { createSecureContext, type SecureVersion } from 'node:tls';
import { z } from 'zod';
import { ConfigError, describeValue } from './errors.js';
import { parseCertificates, readText } from './files.js';
import { settingsMapping } from './schema.js';
import { oneOf, text } from './values.js';

const CLIENT_AUTH_TYPES = [
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

export const tlsSchema = settingsMapping(
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
    client_allowed_sans: z
      .array(text('a list of SANs (DNS names, IP addresses, e-mail addresses or URIs)'), {
        error: 'a list of SANs (DNS names, IP addresses, e-mail addresses or URIs)',
      })
      .optional(),
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

type TlsSection = z.output<typeof tlsSchema>;

function tlsVersionNames(): [string, ...string[]] {
  const [first, ...rest] = Object.keys(TLS_VERSIONS);
  return [first ?? 'TLS12', ...rest];
}

/** The section as written, where it is: its settings named for messages, its paths resolved. */
interface Section {
  readonly tls: TlsSection;
  /** A key of the section as written (undefined when not set). */
  readonly get: (key: string) => unknown;
  /** The setting `tls_server_config.<key> (<file>)`, for messages. */
  readonly at: (key: string) => string;
  /** The web config file's folder. */
  readonly base: string;
}

/**
 * `tls_server_config` checked whole and mapped to node:tls; undefined when every key is unset (HTTP).
 * `where` names a key of the web config file; `warnings` gets what is worth a log line.
 */
export function parseTls(
  tls: TlsSection,
  where: (key: string) => string,
  base: string,
  warnings: string[],
  now: Date,
): TlsServerSettings | undefined {
  if (Object.values(tls).every((value) => value === undefined)) return undefined;
  const section: Section = {
    tls,
    get: (key) => (tls as Readonly<Record<string, unknown>>)[key],
    at: (key) => where(`tls_server_config.${key}`),
    base,
  };
  const clientAuthType = tls.client_auth_type ?? 'NoClientCert';
  const clientAllowedSans = allowedSans(section, clientAuthType);
  const settings: TlsServerSettings = {
    ...serverPair(section, warnings, now),
    clientAuthType,
    clientCa: clientCa(section, clientAuthType),
    clientAllowedSans: clientAllowedSans === undefined ? undefined : Object.freeze(clientAllowedSans.map(normalizeSan)),
    ...versions(section),
    ...cipherSettings(tls),
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

/** The server certificate and its private key, which must belong together. */
function serverPair(section: Section, warnings: string[], now: Date): { cert: string; key: string } {
  const { get, at } = section;
  const certPem = inlineOrFile(section, 'cert', 'cert_file', 'a PEM certificate', false);
  if (certPem === undefined)
    throw new ConfigError(at('cert_file'), 'a certificate file (or cert) when tls_server_config is set');
  const keyPem = inlineOrFile(section, 'key', 'key_file', 'a PEM private key', true);
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
  return { cert: certPem.text, key: keyPem.text };
}

/** The CAs client certificates are verified against: required to verify, refused when nothing asks for one. */
function clientCa(section: Section, clientAuthType: ClientAuthType): string | undefined {
  const { get, at } = section;
  const caPem = inlineOrFile(section, 'client_ca', 'client_ca_file', 'a PEM file of CA certificates', false);
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
  return caPem?.text;
}

function allowedSans(section: Section, clientAuthType: ClientAuthType): readonly string[] | undefined {
  const sans = section.tls.client_allowed_sans;
  // Only a verified certificate's SANs mean anything: anyone can make an unverified one with any SAN.
  if (sans !== undefined && clientAuthType !== 'RequireAndVerifyClientCert') {
    throw new ConfigError(
      section.at('client_allowed_sans'),
      'client_auth_type RequireAndVerifyClientCert with it',
      describeValue(clientAuthType),
    );
  }
  return sans;
}

function versions({ tls, get, at }: Section): { minVersion: SecureVersion; maxVersion: SecureVersion } {
  const minVersion = TLS_VERSIONS[tls.min_version ?? 'TLS12'] ?? 'TLSv1.2';
  const maxVersion = TLS_VERSIONS[tls.max_version ?? 'TLS13'] ?? 'TLSv1.3';
  if (VERSION_ORDER.indexOf(maxVersion) < VERSION_ORDER.indexOf(minVersion)) {
    throw new ConfigError(
      at('max_version'),
      `a version no lower than min_version ${describeValue(get('min_version') ?? 'TLS12')}`,
      describeValue(get('max_version')),
    );
  }
  return { minVersion, maxVersion };
}

function cipherSettings(tls: TlsSection): Pick<TlsServerSettings, 'ciphers' | 'honorCipherOrder' | 'ecdhCurve'> {
  const ciphers = tls.cipher_suites
    ?.filter((suite) => !TLS13_SUITES.includes(suite))
    .map((suite) => CIPHER_SUITES[suite] ?? suite);
  const curves = tls.curve_preferences?.map((curve) => CURVES[curve] ?? curve);
  return {
    // Only TLS 1.3 suites were listed: TLS 1.2 keeps its defaults, as in Go.
    ciphers: ciphers === undefined || ciphers.length === 0 ? undefined : ciphers.join(':'),
    honorCipherOrder: tls.prefer_server_cipher_suites ?? true,
    ecdhCurve: curves === undefined || curves.length === 0 ? undefined : curves.join(':'),
  };
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

/** `inlineKey` (PEM text in the file) or `fileKey` (a path), never both; `shown` describes it in messages. */
function inlineOrFile(
  { get, at, base }: Section,
  inlineKey: string,
  fileKey: string,
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
  return {
    text: readText(absolute, at(fileKey), `a readable file holding ${expected}`),
    shown: JSON.stringify(absolute),
  };
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
