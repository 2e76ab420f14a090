/**
 * The kinds of value a setting may take, as zod schemas. Each accepts what YAML gives (numbers,
 * booleans, lists) and what the environment and flags give (strings). Every issue a schema raises
 * carries the `expected` text of its setting, so a message reads `setting: expected X, got Y`
 * whichever check failed (see issues.ts).
 */
import { z } from 'zod';
import { UUID_PATTERN } from '../uuid.js';
import { formatDuration, parseDurationMs } from './duration.js';
import type { ListenAddress } from './types.js';

/** A custom issue may say what it got, where the value itself would mislead or leak. */
export interface GotParams {
  readonly got?: string | undefined;
}

/** A non-empty (after trimming) string. */
export function text(expected: string) {
  return z.string({ error: expected }).refine((value) => value.trim() !== '', { error: expected });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `one of ${values.join(', ')}` });
}

export function wholeNumber(min: number, max: number, unit: string) {
  const error = `a whole number of ${unit} from ${min} to ${max}`;
  return z
    .union(
      [
        z.int({ error }),
        z
          .string({ error })
          .regex(/^\s*\d+\s*$/, { error })
          .transform(Number),
      ],
      { error },
    )
    .pipe(z.int({ error }).min(min, { error }).max(max, { error }));
}

/** A time setting: a Prometheus duration (`30s`, `5m`, `1h30m`) or whole seconds; parsed to seconds. */
export function durationSeconds(minSeconds: number, maxSeconds: number) {
  const error = `a duration such as 30s, 5m or 1h30m (or whole seconds) from ${formatDuration(minSeconds * 1000)} to ${formatDuration(maxSeconds * 1000)}`;
  return z
    .union(
      [
        z.int({ error }).transform((seconds) => seconds * 1000),
        z.string({ error }).transform((value, context) => {
          const ms = parseDurationMs(value);
          if (ms === undefined) context.addIssue({ code: 'custom', message: error, input: value });
          return ms ?? Number.NaN;
        }),
      ],
      { error },
    )
    .pipe(
      z
        .number({ error })
        .min(minSeconds * 1000, { error })
        .max(maxSeconds * 1000, { error }),
    )
    .transform((ms) => ms / 1000);
}

/** `true`/`false`, also as the strings `true`, `1`, `false`, `0` (any case). */
export function flag() {
  const error = 'true or false';
  return z.union(
    [
      z.boolean(),
      z
        .string()
        .transform((value) => value.trim().toLowerCase())
        .pipe(z.enum(['true', '1', 'false', '0']))
        .transform((value) => value === 'true' || value === '1'),
    ],
    { error },
  );
}

/** `https://host:port` (a path prefix is allowed for reverse proxies); returned without a trailing slash. */
export function baseUrl() {
  const expected = 'an http(s) URL such as https://vb365.example.com:4443';
  return text(expected).transform((value, context) => {
    const fail = (message: string, got?: string): string => {
      context.addIssue({ code: 'custom', message, input: value, params: { got } satisfies GotParams });
      return z.NEVER;
    };
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return fail(expected);
    }
    // First, so that no later message repeats a password written into the URL.
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
      // Credentials in the URL would end up in logs and labels: they belong in username/password.
      return fail(`${expected}, without credentials, query or fragment`, 'a URL with some of them');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(expected);
    if (/\/v[6-8]$/i.test(url.pathname.replace(/\/+$/, ''))) {
      // The exporter adds the version itself (/v8/Organizations...): a versioned base would ask for /v8/v8/...
      return fail(`${expected}, without the API version (the exporter adds /v6, /v7 or /v8 itself; set api_version)`);
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  });
}

/** A YAML list or a comma-separated string of organization IDs (UUIDs), lower-cased and de-duplicated. */
export function organizationIds() {
  const error = 'organization IDs (UUIDs), comma-separated or as a list';
  const id = z
    .string({ error })
    .refine((item) => UUID_PATTERN.test(item.trim()), { error })
    .transform((item) => item.trim().toLowerCase());
  const commaSeparated = z.string().transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );
  return z
    .union([z.array(z.unknown()), commaSeparated, z.null().transform(() => [])], { error })
    .pipe(z.array(id, { error }))
    .transform((ids) => [...new Set(ids)]);
}

/** `host:port`, `:port` or `[ipv6]:port`. */
export function listenAddress() {
  const error = 'host:port or :port with a port from 0 to 65535';
  return text(error).transform((value, context): ListenAddress => {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
    const port = match === null ? Number.NaN : Number(match[3]);
    if (match === null || port > 65535) {
      context.addIssue({ code: 'custom', message: error, input: value });
      return z.NEVER;
    }
    return { host: match[1] ?? match[2] ?? '', port };
  });
}

/** The path of the metrics: absolute, and none of the exporter's other paths. */
export function telemetryPath() {
  const error = 'a path starting with / other than /, /healthz and /readyz';
  return text(error)
    .regex(/^\/[^\s?#]+$/, { error })
    .refine((path) => !['/healthz', '/readyz'].includes(path), { error });
}
