/**
 * The catalogue of VB365 request errors. Each kind has a stable `code`, which is exactly the `code` label of
 * veeam_vb365_api_requests_total and the name log lines give it, and the message users see in logs, on the
 * status page and in `last error` fields. Messages never contain credentials or tokens.
 */
import type { AnswerCap, Endpoint } from './routes.js';

/** Failures that are not an HTTP answer. */
type FailureCode =
  | 'timeout'
  | 'network'
  | 'dns'
  | 'tls'
  | 'too_large'
  | 'invalid_json'
  | 'invalid_answer'
  | 'aborted'
  | 'login_backoff'
  | 'no_api_version';

/** The settings a connection problem points at, named as the user wrote them (a variable or a YAML path). */
export interface TlsSettings {
  readonly urlSetting: string;
  readonly caSetting: string;
  readonly insecureSetting: string;
  readonly caConfigured: boolean;
}

/** An HTTP answer's status as a label, e.g. "503". */
type StatusCode = `${number}`;

export type ErrorCode = FailureCode | StatusCode;

/** What a too_large answer passed, in the words users see. */
const TOO_LARGE: Readonly<Record<AnswerCap, (limitBytes: number) => string>> = {
  max_response_bytes: (bytes) => `the answer is larger than max_response_bytes (${bytes} bytes)`,
  small_answer: (bytes) =>
    `the answer is larger than the ${bytes} bytes an answer of this kind may hold (token, UsedRepositories)`,
  answer_budget: (bytes) =>
    `the answer is larger than the answer budget (${bytes} bytes: 4 x the largest max_response_bytes), which caps the listings the server cannot send in pages (v6/v7 Jobs, CopyJobs, Proxies)`,
};

export class Vb365Error extends Error {
  override readonly name: string = 'Vb365Error';

  /** Protected: every error is made by one of the factories below, so each code keeps one message. */
  protected constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** `api_version: auto` found none of the versions it knows served. */
  static noApiVersion(probed: readonly string[]): Vb365Error {
    return new Vb365Error(
      'no_api_version',
      `the server serves none of the API versions ${probed.join(', ')} (each /{version}/ServiceInstance answered 404): check the URL's path, or a proxy in front of the server`,
    );
  }

  static timeout(timeoutMs: number): Vb365Error {
    return new Vb365Error('timeout', `no complete answer within ${timeoutMs / 1000} s`);
  }

  /** `cause`: the system error code, or undici's message when there is none. */
  static network(cause: string): Vb365Error {
    return new Vb365Error('network', `the connection failed (${cause})`);
  }

  static dns(errorCode: string): Vb365Error {
    return new Vb365Error('dns', `the server name does not resolve (${errorCode})`);
  }

  static tls(errorCode: string): Vb365Error {
    return new Vb365Error(
      'tls',
      `the TLS connection failed (${errorCode}): set ca_file, or tls_insecure for a lab server`,
    );
  }

  /** A certificate that does not verify: names the CA setting in use (or the one to set), as the user wrote it. */
  static tlsUntrusted(errorCode: string, where: TlsSettings): Vb365Error {
    return new Vb365Error(
      'tls',
      where.caConfigured
        ? `the server's certificate does not verify against the CA in ${where.caSetting} (${errorCode}): that CA did not sign it; set ${where.caSetting} to the CA that did, or ${where.insecureSetting} for a lab server`
        : `the server's certificate is not signed by a CA this system trusts (${errorCode}): set ${where.caSetting} to its CA, or ${where.insecureSetting} for a lab server`,
    );
  }

  /** The certificate is valid but for another name. */
  static tlsWrongName(errorCode: string, where: TlsSettings): Vb365Error {
    return new Vb365Error(
      'tls',
      `the server's certificate is not for this host name (${errorCode}): use a name it was issued for in ${where.urlSetting}`,
    );
  }

  /** `https://` spoken to a port that answers plain HTTP. */
  static plainHttpServer(errorCode: string, where: TlsSettings): Vb365Error {
    return new Vb365Error(
      'tls',
      `the server answered the TLS handshake in plain HTTP (${errorCode}): use http:// in ${where.urlSetting}, or the port that serves HTTPS`,
    );
  }

  /** `http://` spoken to a port that closed the connection without an answer, as a TLS port does. */
  static closedWithoutAnswer(where: TlsSettings): Vb365Error {
    return new Vb365Error(
      'network',
      `the server closed the connection without answering (UND_ERR_SOCKET): if it serves HTTPS on this port, use https:// in ${where.urlSetting}`,
    );
  }

  /** `limit`: which cap it passed, as the message names it. */
  static tooLarge(limitBytes: number, limit: AnswerCap = 'max_response_bytes'): Vb365Error {
    return new Vb365Error('too_large', TOO_LARGE[limit](limitBytes));
  }

  /** The answers being received together would pass the budget they share. */
  static overBudget(budgetBytes: number): Vb365Error {
    return new Vb365Error(
      'too_large',
      `the answers in flight would hold more than the ${budgetBytes} bytes they may share; try again next cycle`,
    );
  }

  /** Only the length is told: the text may be anything, a secret included. */
  static invalidJson(characters: number): Vb365Error {
    return new Vb365Error('invalid_json', `the answer is not valid JSON (${characters} characters)`);
  }

  /** An answer refused as a whole: wrong shape, a next link that loops, too many pages, a token answer without a token. */
  static invalidAnswer(reason: string): Vb365Error {
    return new Vb365Error('invalid_answer', reason);
  }

  static aborted(): Vb365Error {
    return new Vb365Error('aborted', 'the request was aborted because the exporter is stopping');
  }

  /** A 401 to a token issued moments ago: a permission the account lacks (or a proxy dropping the header), not an expiry. */
  static refusedWithFreshToken(refusal: HttpStatusError): Vb365Error {
    return new Vb365Error(
      refusal.code,
      `${refusal.message}; the account was refused with a fresh token: check its VB365 role`,
    );
  }

  /** A login skipped because the last ones failed; `lastReason`: why the last one failed, so the cause stays in sight. */
  static loginBackoff(consecutiveFailures: number, waitSeconds: number, lastReason: string): Vb365Error {
    return new Vb365Error(
      'login_backoff',
      `login failed ${consecutiveFailures} time(s) in a row, last: ${lastReason}; next attempt in ${waitSeconds} s`,
    );
  }
}

/** The server answered with a status the client does not turn into data; the status is the code. */
export class HttpStatusError extends Vb365Error {
  override readonly name = 'HttpStatusError';

  /** `detail`: the server's own words (already redacted and shortened), as `: words`, or empty. */
  constructor(
    readonly endpoint: Endpoint,
    readonly status: number,
    detail: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`${status}`, `${endpoint} answered HTTP ${status}${detail}`);
  }
}

/** Whether `error` is one of the catalogue's, with one of these codes. */
export function hasCode(error: unknown, ...codes: readonly ErrorCode[]): error is Vb365Error {
  return error instanceof Vb365Error && codes.includes(error.code);
}

/** Short text for logs, the status page and `last error` fields: what failed, never a secret. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
