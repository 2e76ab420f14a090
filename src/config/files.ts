/** Files the configuration names, read with errors that name the setting. */
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

/** A PEM file holding at least one certificate (a CA bundle, say). */
export function readPemFile(path: string, setting: string): string {
  const pem = readText(path, setting, 'a readable PEM file');
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError(setting, 'a PEM file with at least one certificate', JSON.stringify(path));
  return pem;
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
