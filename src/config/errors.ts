/**
 * A configuration problem, reported as one line that names the setting and what was expected,
 * e.g. `VB365_POLL_CONCURRENCY: expected a whole number of requests from 1 to 256, got "1000"`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly setting: string,
    readonly expected: string,
    readonly got?: string,
  ) {
    super(`${setting}: expected ${expected}${got === undefined ? '' : `, got ${got}`}`);
  }
}

/** Shows a rejected value in an error message without ever echoing a secret. */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined) return 'nothing';
  if (secret) return 'a value that is not shown';
  // JSON shows strings quoted and lists as YAML users wrote them; functions and symbols never reach here.
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
