/**
 * Every way a VB365 request can fail, each with a short `code` used as the `code` label of
 * veeam_vb365_api_requests_total and in log lines. Messages never contain credentials or tokens.
 */
export type FailureCode =
  'timeout' | 'network' | 'dns' | 'tls' | 'too_large' | 'invalid_json' | 'invalid_answer' | 'aborted' | 'login_backoff';

export class RequestFailedError extends Error {
  override readonly name = 'RequestFailedError';
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
  }
}

/** The server answered with a status the client does not turn into data. */
export class ApiStatusError extends Error {
  override readonly name = 'ApiStatusError';
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Short text for logs, the status page and `last error` fields: what failed, never a secret. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
