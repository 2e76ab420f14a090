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
import { HttpStatusError, Vb365Error, hasCode } from './errors.js';
import { MAX_LISTING_ITEMS, PagedListing } from './paging.js';
import { redactSecrets } from './redact.js';
import {
  backupRepositoryItems,
  organizationItems,
  parseArray,
  parseTokenAnswer,
  usedRepositoryItems,
  validateItems,
  type ItemRules,
} from './parse.js';
import { parseRetryAfter, retryWaitMs } from './retry.js';
import { routes, type Endpoint, type ListingRoute } from './routes.js';
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

  organizations(signal: AbortSignal): Promise<Listing<Organization>> {
    return this.listing(routes.organizations(this.deps.server.apiVersion), organizationItems, signal);
  }

  usedRepositories(organizationId: string, signal: AbortSignal): Promise<Listing<UsedRepository>> {
    return this.listing(
      routes.usedRepositories(this.deps.server.apiVersion, organizationId),
      usedRepositoryItems,
      signal,
    );
  }

  backupRepositories(signal: AbortSignal): Promise<Listing<BackupRepository>> {
    return this.listing(routes.backupRepositories(this.deps.server.apiVersion), backupRepositoryItems, signal);
  }

  private async listing<T>(route: ListingRoute, rules: ItemRules<T>, signal: AbortSignal): Promise<Listing<T>> {
    const { endpoint } = route;
    const path = this.at(route.path);
    const items = route.paged
      ? await this.pages(endpoint, path, signal)
      : await this.plainArray(endpoint, path, signal);
    const listing = validateItems(items, rules);
    if (listing.rejectedCount > 0) this.deps.events.rejected(endpoint, listing.rejectedCount);
    return listing;
  }

  private async plainArray(endpoint: Endpoint, path: string, signal: AbortSignal): Promise<readonly unknown[]> {
    const json = await this.getJson(endpoint, path, signal);
    return this.readAnswer(endpoint, () => {
      const items = parseArray(json);
      if (items.length > MAX_LISTING_ITEMS)
        throw Vb365Error.invalidAnswer(
          `the listing has ${items.length} items, more than the ${MAX_LISTING_ITEMS} accepted`,
        );
      return items;
    });
  }

  private async pages(endpoint: Endpoint, firstPath: string, signal: AbortSignal): Promise<readonly unknown[]> {
    const listing = new PagedListing(firstPath, (href) => this.resolveNext(href));
    for (let path = listing.nextPath; path !== undefined; path = listing.nextPath) {
      const json = await this.getJson(endpoint, path, signal);
      this.readAnswer(endpoint, () => listing.read(json));
    }
    return listing.items;
  }

  /**
   * Reads an answer already received, counting one refused as a whole against its endpoint. Only the reading
   * is counted, not the request: a bad token answer met on the way is the token endpoint's.
   */
  private readAnswer<R>(endpoint: Endpoint, read: () => R): R {
    try {
      return read();
    } catch (error) {
      if (hasCode(error, 'invalid_answer')) this.deps.events.invalidAnswer(endpoint);
      throw error;
    }
  }

  /** The API path on this server: base URLs may carry a path prefix (a reverse proxy). */
  private at(path: string): string {
    return `${this.pathPrefix}${path}`;
  }

  /** Next links are server-relative (`/v6/...`); an absolute link must stay on this server, so the token never leaves it. */
  private resolveNext(href: string): string {
    const base = new URL(this.deps.server.url);
    let url: URL;
    try {
      url = new URL(href, base);
    } catch {
      // The link itself is not repeated: a proxy may have put a token in it.
      throw Vb365Error.invalidAnswer('the next link is not a URL');
    }
    if (url.origin !== base.origin)
      throw Vb365Error.invalidAnswer(`the next link points to another server (${url.origin})`);
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
        if (hasCode(error, 'login_backoff')) this.deps.events.request('token', error.code);
        throw error;
      });
      try {
        return await this.withRetries(call, { authorization: `Bearer ${token}` }, signal);
      } catch (error) {
        if (!(error instanceof HttpStatusError && error.status === 401) || reauthenticated) throw error;
        this.tokens.invalidate(token);
      }
    }
  }

  private async requestToken(form: URLSearchParams, signal: AbortSignal): Promise<TokenAnswer> {
    const answer = await this.withRetries(
      { endpoint: 'token', method: 'POST', path: this.at(routes.token(this.deps.server.apiVersion).path), form },
      {},
      signal,
    );
    return this.readAnswer('token', () => parseTokenAnswer(answer.json));
  }

  /** Tried again as retryWaitMs() says. */
  private async withRetries(call: Call, headers: Record<string, string>, signal: AbortSignal): Promise<HttpAnswer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.limit(() => this.once(call, headers, signal));
      } catch (error) {
        const wait = retryWaitMs(error, attempt, this.deps.random);
        if (wait === undefined || signal.aborted) throw error;
        this.deps.logger.debug(
          { endpoint: call.endpoint, attempt, waitMs: wait, reason: (error as Error).message },
          'retrying request',
        );
        await this.deps.clock.sleep(wait, signal);
      }
    }
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
      this.deps.events.request(call.endpoint, error instanceof Vb365Error ? error.code : 'network');
      throw error;
    }
    this.deps.events.request(call.endpoint, String(answer.status));
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw new HttpStatusError(
      call.endpoint,
      answer.status,
      errorDetail(answer.json, this.tokens.secrets()),
      parseRetryAfter(answer.headers['retry-after'], this.deps.clock.now()),
    );
  }
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
