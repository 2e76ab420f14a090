/** Files the configuration names, read with errors that name the setting. */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

/** A PEM file holding at least one certificate (a CA bundle, say), every one of which parses. */
export function readPemFile(path: string, setting: string): string {
  const pem = readText(path, setting, 'a readable PEM file');
  // Node takes a truncated or garbled CA without a word and then trusts nothing: check each one here.
  if (parseCertificates(pem, setting, JSON.stringify(path)).length === 0)
    throw new ConfigError(setting, 'a PEM file with at least one certificate', JSON.stringify(path));
  return pem;
}

/** Every PEM certificate block of `pem`, parsed; one that does not parse is a ConfigError naming `setting`. */
export function parseCertificates(pem: string, setting: string, shown: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new ConfigError(setting, 'PEM certificates', `${shown} (a certificate that does not parse)`);
    }
  });
}

export function readText(path: string, setting: string, expected: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      setting,
      expected,
      `${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
}
