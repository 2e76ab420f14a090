/**
 * Requests to one VB365 server: each attempt bounded by the server's concurrency limit and counted by
 * endpoint and status (or failure code), failures tried again as retry.ts says, an answer outside 2xx turned
 * into an HttpStatusError that quotes the server's words without a secret. It knows nothing of tokens'
 * lifetimes or listings: the access token comes with the request.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Limit } from './concurrency-limit.js';
import { HttpStatusError, Vb365Error, hasCode } from './errors.js';
import { redactSecrets, type KnownSecrets } from './redact.js';
import { parseRetryAfter, retryWaitMs } from './retry.js';
import { answerLimit, type Endpoint } from './routes.js';
import type { HttpAnswer, HttpExchange, Transport } from './transport.js';

export interface ApiRequest {
  readonly endpoint: Endpoint;
  readonly method: 'GET' | 'POST';
  /** Absolute path with query, the server's path prefix included. */
  readonly path: string;
  /** Sent as a bearer token. */
  readonly accessToken?: string;
  /** Sent form-encoded. */
  readonly form?: URLSearchParams;
  /** Statuses outside 2xx that are answers here, returned as they are (never retried): a probe's 404, Health's 503. */
  readonly acceptStatuses?: readonly number[];
  /** Capped at SMALL_ANSWER_BYTES (routes.ts): an answer of one object. */
  readonly small?: boolean | undefined;
  /** A listing the server cannot send in pages: capped by the answer budget (routes.ts Route.unpaged). */
  readonly unpaged?: boolean | undefined;
}

/** What requests tell the exporter's own metrics. */
export interface RequestEvents {
  /** Every answer (its status) or failure (its code). */
  request(endpoint: Endpoint, code: string): void;
  invalidAnswer(endpoint: Endpoint): void;
}

export interface RequesterDependencies {
  readonly transport: Transport;
  /** The server's max_response_bytes: the cap of listings' pages, and the ceiling of the small answers' cap. */
  readonly maxResponseBytes: number;
  /** The answer budget's limit now (a reload may change it): the cap of listings the server cannot page. */
  readonly answerBudgetBytes: () => number;
  /** Shared by every request to this server, so the concurrency bound holds for all of them. */
  readonly limit: Limit;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly events: RequestEvents;
  /** Removed from the server's words before they become a message. */
  readonly secrets: KnownSecrets;
}

export class Requester {
  private bearer: { readonly token: string; readonly headers: Readonly<Record<string, string>> } | undefined;

  constructor(private readonly deps: RequesterDependencies) {}

  /** The 2xx (or accepted) answer to `request`, after as many attempts as retryWaitMs() allows. */
  async send(request: ApiRequest, signal: AbortSignal): Promise<HttpAnswer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.limit(() => this.once(request, signal));
      } catch (error) {
        const wait = retryWaitMs(error, attempt, this.deps.random);
        if (wait === undefined || signal.aborted) throw error;
        this.deps.logger.debug(
          { endpoint: request.endpoint, attempt, waitMs: wait, reason: (error as Error).message },
          'retrying request',
        );
        await this.deps.clock.sleep(wait, signal);
      }
    }
  }

  /**
   * Reads an answer already received, counting one refused as a whole against its endpoint. Only the reading
   * is counted, not the request: a bad token answer met on the way to a listing is the token endpoint's.
   */
  read<R>(endpoint: Endpoint, read: () => R): R {
    try {
      return read();
    } catch (error) {
      if (hasCode(error, 'invalid_answer')) this.deps.events.invalidAnswer(endpoint);
      throw error;
    }
  }

  private headersFor({ accessToken, form }: ApiRequest): Readonly<Record<string, string>> {
    if (form !== undefined) {
      return {
        accept: 'application/json',
        ...(accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` }),
        'content-type': 'application/x-www-form-urlencoded',
      };
    }
    if (accessToken === undefined) return { accept: 'application/json' };
    if (this.bearer?.token !== accessToken) this.bearer = { token: accessToken, headers: bearerHeaders(accessToken) };
    return this.bearer.headers;
  }

  private async once(request: ApiRequest, signal: AbortSignal): Promise<HttpAnswer> {
    const { form } = request;
    const exchange: HttpExchange = {
      method: request.method,
      path: request.path,
      headers: this.headersFor(request),
      ...(form === undefined ? {} : { body: form.toString() }),
      sizeLimit: answerLimit(request, {
        maxResponseBytes: this.deps.maxResponseBytes,
        answerBudgetBytes: this.deps.answerBudgetBytes(),
      }),
    };
    let answer: HttpAnswer;
    try {
      answer = await this.deps.transport.send(exchange, signal);
    } catch (error) {
      this.deps.events.request(request.endpoint, error instanceof Vb365Error ? error.code : 'network');
      throw error;
    }
    this.deps.events.request(request.endpoint, String(answer.status));
    if ((answer.status >= 200 && answer.status < 300) || request.acceptStatuses?.includes(answer.status)) return answer;
    throw new HttpStatusError(
      request.endpoint,
      answer.status,
      errorDetail(answer.json, this.deps.secrets.all()),
      parseRetryAfter(answer.headers['retry-after'], this.deps.clock.now()),
    );
  }
}

/** Bearer headers of the token in use, built once per token rather than once per request (10,000 a cycle). */
function bearerHeaders(accessToken: string): Readonly<Record<string, string>> {
  return { accept: 'application/json', authorization: `Bearer ${accessToken}` };
}

/** The server's own words from an error body (`message`, or OAuth `error_description`), shortened; never request data. */
function errorDetail(json: unknown, secrets: readonly string[]): string {
  if (typeof json !== 'object' || json === null) return '';
  const body = json as Record<string, unknown>;
  const message = [body['message'], body['error_description'], body['error']].find(
    (value) => typeof value === 'string' && value !== '',
  );
  // Redacted before it is shortened, so no secret can survive cut in half at the end.
  return typeof message === 'string' ? `: ${redactSecrets(message, secrets).slice(0, 200)}` : '';
}
