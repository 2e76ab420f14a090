/**
 * The VB365 REST client of one server: listings and objects at the routes the fact modules (src/facts/) name,
 * each request sent with the server's access token, answers validated by the module's rules, in the API
 * version the ApiVersionChooser says. Data flows one way: client -> token source -> token endpoint -> requester -> transport.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { ApiVersion, ServerConfig } from '../config/types.js';
import { ApiVersionChooser } from './api-version.js';
import { TokenSource, tokenEndpoint } from './auth.js';
import type { ByteBudget } from './byte-budget.js';
import type { Limit } from './concurrency-limit.js';
import { HttpStatusError, Vb365Error, hasCode } from './errors.js';
import { PagedListing } from './paging.js';
import { ItemValidator, type ItemRules } from './parse.js';
import { KnownSecrets } from './redact.js';
import { Requester, type RequestEvents } from './requester.js';
import { routes, type Endpoint, type Route, type VersionedRoute } from './routes.js';
import { Transport } from './transport.js';
import type { Listing } from './types.js';

export interface ClientDependencies {
  readonly server: ServerConfig;
  readonly dispatcher: Dispatcher;
  /** Shared by every request to this server, so the concurrency bound holds for all of them. */
  readonly limit: Limit;
  /** The bytes answers in flight may hold, shared with every other server's client. */
  readonly answerBudget: ByteBudget;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly events: ClientEvents;
}

/** What the client tells the exporter's own metrics. */
export interface ClientEvents extends RequestEvents {
  rejected(endpoint: Endpoint, count: number): void;
}

export class Vb365Client {
  private readonly requester: Requester;
  private readonly tokens: TokenSource;
  private readonly pathPrefix: string;
  private readonly versions: ApiVersionChooser;

  constructor(private readonly deps: ClientDependencies) {
    const { server } = deps;
    const base = new URL(server.url);
    this.pathPrefix = base.pathname.replace(/\/+$/, '');
    // Shared by the two: the token source adds the tokens it is issued, the requester keeps them out of messages.
    const secrets = new KnownSecrets(server.password);
    this.requester = new Requester({
      transport: new Transport({
        dispatcher: deps.dispatcher,
        origin: base.origin,
        timeoutMs: server.requestTimeoutSeconds * 1000,
        budget: deps.answerBudget,
        settings: {
          urlSetting: server.settingNames?.url ?? 'url',
          caSetting: server.settingNames?.caFile ?? 'ca_file',
          insecureSetting: server.settingNames?.tlsInsecure ?? 'tls_insecure',
          caConfigured: server.ca !== undefined,
        },
        clock: deps.clock,
      }),
      maxResponseBytes: server.maxResponseBytes,
      answerBudgetBytes: () => deps.answerBudget.limitBytes,
      limit: deps.limit,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      events: deps.events,
      secrets,
    });
    this.versions = new ApiVersionChooser({
      setting: server.apiVersion,
      probe: (version, signal) => this.probe(version, signal),
      clock: deps.clock,
      logger: deps.logger,
      onChange: () => this.tokens.versionChanged(),
    });
    this.tokens = new TokenSource({
      username: server.username,
      password: server.password,
      requestToken: tokenEndpoint(this.requester, () => this.located(routes.token(this.version))),
      secrets,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
    });
  }

  /** A poll cycle starts: a 401 may again mean an expired token (see TokenSource.refused). */
  beginCycle(): void {
    this.tokens.beginCycle();
  }

  /** The API version to read this cycle with (with `auto`, probed when due); throws when none is served. */
  chooseVersion(signal: AbortSignal): Promise<ApiVersion> {
    return this.versions.choose(signal);
  }

  /** The version in use now; undefined until `auto` has found one. */
  get apiVersion(): ApiVersion | undefined {
    return this.versions.current;
  }

  /** Every item of a listing at `route` (its pages, or one plain array), each validated by `rules`. */
  listing<T>(route: VersionedRoute, rules: ItemRules<T>, signal: AbortSignal): Promise<Listing<T>> {
    return this.readListing(route(this.version), rules, signal);
  }

  /** The object answered at `route`, validated by `parse` (which throws the catalogue's invalid_answer). */
  async object<T>(route: VersionedRoute, parse: (json: unknown) => T, signal: AbortSignal): Promise<T> {
    const at = route(this.version);
    const json = await this.getJson(at, this.at(at.path), signal);
    return this.requester.read(at.endpoint, () => parse(json));
  }

  /**
   * The object answered at `route` without a token, taking `acceptStatuses` as answers too (v8 Health is
   * anonymous, and an unhealthy server answers 503 with the same report).
   */
  async anonymousObject<T>(
    route: VersionedRoute,
    parse: (json: unknown) => T,
    acceptStatuses: readonly number[],
    signal: AbortSignal,
  ): Promise<T> {
    const { endpoint, path, small } = this.located(route(this.version));
    const answer = await this.requester.send({ endpoint, method: 'GET', path, acceptStatuses, small }, signal);
    return this.requester.read(endpoint, () => parse(answer.json));
  }

  private get version(): ApiVersion {
    const version = this.versions.current;
    // chooseVersion() comes first in every cycle; reaching this without a version is a bug.
    if (version === undefined) throw new Error('no API version chosen yet');
    return version;
  }

  /** One unauthenticated request: 401 or 403 (or an answer) where `version` is served, 404 where it is not. */
  private async probe(version: ApiVersion, signal: AbortSignal): Promise<boolean> {
    const { endpoint, path, small } = this.located(routes.versionProbe(version));
    const answer = await this.requester.send(
      { endpoint, method: 'GET', path, acceptStatuses: [401, 403, 404], small },
      signal,
    );
    return answer.status !== 404;
  }

  private located(route: Route): Route {
    return { ...route, path: this.at(route.path) };
  }

  private async readListing<T>(route: Route, rules: ItemRules<T>, signal: AbortSignal): Promise<Listing<T>> {
    const { endpoint } = route;
    const pages = new PagedListing(this.at(route.path), (href) => this.resolveNext(href));
    const validator = new ItemValidator(rules);
    for (let path = pages.nextPath; path !== undefined; path = pages.nextPath) {
      const json = await this.getJson(route, path, signal);
      validator.add(this.requester.read(endpoint, () => pages.read(json)));
    }
    const listing = validator.listing();
    if (listing.rejectedCount > 0) this.deps.events.rejected(endpoint, listing.rejectedCount);
    return listing;
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

  private loggedIn(signal: AbortSignal): Promise<string> {
    return this.tokens.accessToken(signal).catch((error: unknown) => {
      // A login skipped during back-off is a token request that did not happen: count it as such.
      if (hasCode(error, 'login_backoff')) this.deps.events.request('token', error.code);
      throw error;
    });
  }

  /**
   * A GET with a bearer token: on 401 an expired token is dropped and the request tried once more with a
   * new one; a token refused while fresh is a permission problem, failed at once without a new login.
   */
  /** `path`: the route's, or the next page's. */
  private async getJson(route: Route, path: string, signal: AbortSignal): Promise<unknown> {
    try {
      return await this.getJsonWithToken(route, path, signal);
    } catch (error) {
      // A versioned path not found (not an item that is gone): the version is looked for again.
      if (error instanceof HttpStatusError && error.status === 404 && route.notFoundIsItemGone !== true)
        this.versions.notFound();
      throw error;
    }
  }

  private async getJsonWithToken(route: Route, path: string, signal: AbortSignal): Promise<unknown> {
    const { endpoint, small, unpaged } = route;
    for (let reauthenticated = false; ; reauthenticated = true) {
      // The valid token is taken without an await: a promise and a closure fewer for each of 10,000 requests.
      const accessToken = this.tokens.validToken() ?? (await this.loggedIn(signal));
      // The token's age that counts is at sending: a slow 401 to a fresh token is still a refusal.
      const sentAtMs = this.deps.clock.now();
      try {
        return (await this.requester.send({ endpoint, method: 'GET', path, accessToken, small, unpaged }, signal)).json;
      } catch (error) {
        if (!(error instanceof HttpStatusError && error.status === 401)) throw error;
        if (this.tokens.refused(accessToken, sentAtMs) === 'permission') {
          throw Vb365Error.refusedWithFreshToken(error);
        }
        if (reauthenticated) throw error;
      }
    }
  }
}
