/**
 * The VB365 REST client of one server: authenticated requests with retries, every request (token,
 * listings, pages) bounded by the server's concurrency limit, answers validated into typed listings.
 */
import type { LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config/types.js';
import { TokenSource, type TokenAnswer } from './auth.js';
import { ApiStatusError, RequestFailedError } from './errors.js';
import { MAX_LISTING_ITEMS, collectPages } from './paging.js';
import { redactSecrets } from './redact.js';
import {
  InvalidAnswerError,
  parseArray,
  parseBackupRepository,
  parseOrganization,
  parseUsedRepository,
  validateItems,
  type ItemResult,
} from './parse.js';
import { REQUEST_RETRY, RETRYABLE_STATUSES, backoffMs, parseRetryAfter } from './retry.js';
import { listingsArePaged, routes, type Endpoint } from './routes.js';
import { Transport, type HttpAnswer } from './transport.js';
import type { BackupRepository, Listing, Organization, UsedRepository } from './types.js';

export interface ClientDependencies {
  readonly server: ServerConfig;
  readonly dispatcher: Dispatcher;
  /** Shared by every request to this server, so the concurrency bound holds for all of them. */
  readonly limit: LimitFunction;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly events: ClientEvents;
}

/** What the client tells the exporter's own metrics. */
export interface ClientEvents {
  /** Every answer (its status) or failure (its FailureCode). */
  request(endpoint: Endpoint, code: string): void;
  rejected(endpoint: Endpoint, count: number): void;
  invalidAnswer(endpoint: Endpoint): void;
}

interface Call {
  readonly endpoint: Endpoint;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly form?: URLSearchParams;
}

export class Vb365Client {
  private readonly transport: Transport;
  private readonly tokens: TokenSource;
  private readonly pathPrefix: string;

  constructor(private readonly deps: ClientDependencies) {
    const base = new URL(deps.server.url);
    this.pathPrefix = base.pathname.replace(/\/+$/, '');
    this.transport = new Transport({
      dispatcher: deps.dispatcher,
      origin: base.origin,
      timeoutMs: deps.server.requestTimeoutSeconds * 1000,
      maxResponseBytes: deps.server.maxResponseBytes,
      clock: deps.clock,
    });
    this.tokens = new TokenSource({
      username: deps.server.username,
      password: deps.server.password,
      requestToken: (form, signal) => this.requestToken(form, signal),
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
    });
  }

  /** v6/v7 answer a plain array, v8 pages. */
  organizations(signal: AbortSignal): Promise<Listing<Organization>> {
    const path = this.at(routes.organizations(this.deps.server.apiVersion));
    return this.listing(
      'organizations',
      path,
      !listingsArePaged(this.deps.server.apiVersion),
      parseOrganization,
      (organization) => organization.id,
      signal,
    );
  }

  /** Paged in every version. */
  usedRepositories(organizationId: string, signal: AbortSignal): Promise<Listing<UsedRepository>> {
    const path = this.at(routes.usedRepositories(this.deps.server.apiVersion, organizationId));
    return this.listing(
      'used_repositories',
      path,
      false,
      parseUsedRepository,
      (repository) => repository.repositoryId,
      signal,
    );
  }

  /** v6/v7 answer a plain array, v8 pages. */
  backupRepositories(signal: AbortSignal): Promise<Listing<BackupRepository>> {
    const path = this.at(routes.backupRepositories(this.deps.server.apiVersion));
    return this.listing(
      'backup_repositories',
      path,
      !listingsArePaged(this.deps.server.apiVersion),
      parseBackupRepository,
      (repository) => repository.id,
      signal,
    );
  }

  private async listing<T>(
    endpoint: Endpoint,
    path: string,
    plainArray: boolean,
    parse: (item: unknown) => ItemResult<T>,
    idOf: (value: T) => string,
    signal: AbortSignal,
  ): Promise<Listing<T>> {
    let items: readonly unknown[];
    try {
      items = plainArray
        ? parseArray(await this.getJson(endpoint, path, signal))
        : await this.pages(endpoint, path, signal);
      if (items.length > MAX_LISTING_ITEMS)
        throw new InvalidAnswerError(
          `the listing has ${items.length} items, more than the ${MAX_LISTING_ITEMS} accepted`,
        );
    } catch (error) {
      if (error instanceof InvalidAnswerError) this.deps.events.invalidAnswer(endpoint);
      throw error;
    }
    const listing = validateItems(items, parse, idOf);
    if (listing.rejectedCount > 0) this.deps.events.rejected(endpoint, listing.rejectedCount);
    return listing;
  }

  /** The API path on this server: base URLs may carry a path prefix (a reverse proxy). */
  private at(path: string): string {
    return `${this.pathPrefix}${path}`;
  }

  private pages(endpoint: Endpoint, firstPath: string, signal: AbortSignal): Promise<unknown[]> {
    return collectPages(
      firstPath,
      (path) => this.getJson(endpoint, path, signal),
      (href) => this.resolveNext(href),
    );
  }

  /** Next links are server-relative (`/v6/...`); an absolute link must stay on this server, so the token never leaves it. */
  private resolveNext(href: string): string {
    const base = new URL(this.deps.server.url);
    let url: URL;
    try {
      url = new URL(href, base);
    } catch {
      // The link itself is not repeated: a proxy may have put a token in it.
      throw new InvalidAnswerError('the next link is not a URL');
    }
    if (url.origin !== base.origin)
      throw new InvalidAnswerError(`the next link points to another server (${url.origin})`);
    const path = url.pathname.startsWith(`${this.pathPrefix}/`) ? url.pathname : `${this.pathPrefix}${url.pathname}`;
    return `${path}${url.search}`;
  }

  private async getJson(endpoint: Endpoint, path: string, signal: AbortSignal): Promise<unknown> {
    return (await this.authorized({ endpoint, method: 'GET', path }, signal)).json;
  }

  /** A request with a bearer token: on 401 the token is dropped and the request tried once more with a new one. */
  private async authorized(call: Call, signal: AbortSignal): Promise<HttpAnswer> {
    for (let reauthenticated = false; ; reauthenticated = true) {
      const token = await this.tokens.accessToken(signal).catch((error: unknown) => {
        // A login skipped during back-off is a token request that did not happen: count it as such.
        if (error instanceof RequestFailedError && error.code === 'login_backoff')
          this.deps.events.request('token', 'login_backoff');
        throw error;
      });
      try {
        return await this.withRetries(call, { authorization: `Bearer ${token}` }, signal);
      } catch (error) {
        if (!(error instanceof ApiStatusError && error.status === 401) || reauthenticated) throw error;
        this.tokens.invalidate(token);
      }
    }
  }

  private async requestToken(form: URLSearchParams, signal: AbortSignal): Promise<TokenAnswer> {
    const answer = await this.withRetries(
      { endpoint: 'token', method: 'POST', path: this.at(routes.token(this.deps.server.apiVersion)), form },
      {},
      signal,
    );
    try {
      return parseTokenAnswer(answer.json);
    } catch (error) {
      this.deps.events.invalidAnswer('token');
      throw error;
    }
  }

  /** Network errors, timeouts, 429, 502, 503 and 504 are tried again after a back-off that honours Retry-After. */
  private async withRetries(call: Call, headers: Record<string, string>, signal: AbortSignal): Promise<HttpAnswer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.limit(() => this.once(call, headers, signal));
      } catch (error) {
        const wait = this.retryWait(error, attempt);
        if (wait === undefined || signal.aborted) throw error;
        this.deps.logger.debug(
          { endpoint: call.endpoint, attempt, waitMs: wait, reason: (error as Error).message },
          'retrying request',
        );
        await this.deps.clock.sleep(wait, signal);
      }
    }
  }

  private retryWait(error: unknown, attempt: number): number | undefined {
    if (attempt >= REQUEST_RETRY.attempts) return undefined;
    const retryable =
      (error instanceof ApiStatusError && RETRYABLE_STATUSES.has(error.status)) ||
      (error instanceof RequestFailedError && (error.code === 'network' || error.code === 'timeout'));
    if (!retryable) return undefined;
    const backoff = backoffMs(attempt - 1, REQUEST_RETRY, this.deps.random);
    const wait = Math.max(backoff, error instanceof ApiStatusError ? (error.retryAfterMs ?? 0) : 0);
    // A server asking for a longer pause than a cycle can afford is left alone until the next cycle.
    return wait <= REQUEST_RETRY.longestWaitMs ? wait : undefined;
  }

  private async once(call: Call, headers: Record<string, string>, signal: AbortSignal): Promise<HttpAnswer> {
    const exchange = {
      method: call.method,
      path: call.path,
      headers: {
        accept: 'application/json',
        ...headers,
        ...(call.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(call.form === undefined ? {} : { body: call.form.toString() }),
    };
    let answer: HttpAnswer;
    try {
      answer = await this.transport.send(exchange, signal);
    } catch (error) {
      this.deps.events.request(call.endpoint, error instanceof RequestFailedError ? error.code : 'network');
      throw error;
    }
    this.deps.events.request(call.endpoint, String(answer.status));
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw new ApiStatusError(
      answer.status,
      `${call.endpoint} answered HTTP ${answer.status}${errorDetail(answer.json, this.tokens.secrets())}`,
      parseRetryAfter(answer.headers['retry-after'], this.deps.clock.now()),
    );
  }
}

function parseTokenAnswer(json: unknown): TokenAnswer {
  const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const accessToken = body['access_token'];
  const refreshToken = body['refresh_token'];
  const expiresIn = body['expires_in'];
  if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw new RequestFailedError('invalid_answer', 'the token answer lacks access_token or a positive expires_in');
  }
  return {
    accessToken,
    refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : undefined,
    expiresInSeconds: expiresIn,
  };
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
