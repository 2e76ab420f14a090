/**
 * The one root logger: pino on stdout, with credentials redacted wherever they might appear. JSON lines
 * say `"level":"info"` and an ISO-8601 `time`, readable in `kubectl logs`; `--log.format=logfmt` writes
 * the same records as logfmt (`time=... level=info msg="..." module=poller ...`).
 */
import logfmt from 'logfmt';
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import type { LogFormat, LogLevel } from './config/types.js';

const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  '*.access_token',
  '*.refresh_token',
  'authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

export function createLogger(level: LogLevel, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const options = {
    level,
    base: { service: 'vb365-exporter' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: stdTimeFunctions.isoTime,
  };
  const out = destination ?? process.stdout;
  return pino(options, format === 'logfmt' ? logfmtDestination(out) : out);
}

/** Rewrites each JSON line pino writes (already redacted) as one logfmt line. */
function logfmtDestination(out: DestinationStream): DestinationStream {
  return {
    write(line: string): void {
      const { time, level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
      out.write(`${logfmt.stringify(flatten({ time, level, msg, ...rest }))}\n`);
    },
  };
}

/** Nested objects (an error's fields) as dotted keys; control characters escaped, so a record stays one line. */
function flatten(record: Record<string, unknown>, prefix = '', into: Record<string, string> = {}): object {
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const name = `${prefix}${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      flatten(value as Record<string, unknown>, `${name}.`, into);
    } else {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      into[name] = text.replace(/[\u0000-\u001f\u007f]/g, (char) => JSON.stringify(char).slice(1, -1));
    }
  }
  return into;
}
