import { ConfigError } from './errors.js';

/**
 * Strict decoding: a key the exporter does not know is an error, not silently ignored (a typo would
 * otherwise leave a setting at its default). The key is quoted when it is not a plain word, so the
 * message stays one line whatever the file holds.
 */
export function rejectUnknownKeys(
  raw: Readonly<Record<string, unknown>>,
  known: readonly string[],
  where: (key: string) => string,
): void {
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const printable = /^[\w.-]+$/.test(key) ? key : JSON.stringify(key);
    throw new ConfigError(where(printable), `a known setting (one of ${known.join(', ')})`, 'an unknown key');
  }
}
