/** When to try a failed request again, and how long to wait first. */
import { HttpStatusError, hasCode } from './errors.js';

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** Requests: a few quick tries within one cycle; the next cycle tries again anyway. */
export const REQUEST_RETRY = { attempts: 3, baseMs: 500, capMs: 10_000, longestWaitMs: 60_000 } as const;

/** Failed logins: a wrong password must not hammer the token endpoint. */
export const LOGIN_BACKOFF: BackoffPolicy = { baseMs: 5_000, capMs: 5 * 60_000 };

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Exponential back-off with jitter: a random wait between half and all of min(cap, base * 2^attempt). */
export function backoffMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * How long to wait before trying a request again after its attempt number `attempt` (from 1) failed with
 * `error`, or undefined to give up. Network errors, timeouts, 429, 502, 503 and 504 are tried again after a
 * back-off that honours Retry-After.
 */
export function retryWaitMs(error: unknown, attempt: number, random: () => number): number | undefined {
  if (attempt >= REQUEST_RETRY.attempts) return undefined;
  const retryable =
    (error instanceof HttpStatusError && RETRYABLE_STATUSES.has(error.status)) || hasCode(error, 'network', 'timeout');
  if (!retryable) return undefined;
  const backoff = backoffMs(attempt - 1, REQUEST_RETRY, random);
  const wait = Math.max(backoff, error instanceof HttpStatusError ? (error.retryAfterMs ?? 0) : 0);
  // A server asking for a longer pause than a cycle can afford is left alone until the next cycle.
  return wait <= REQUEST_RETRY.longestWaitMs ? wait : undefined;
}

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
