/**
 * The VB365 REST client of one server: the listings the exporter reads (organizations, used repositories,
 * backup and object storage repositories) and the server's own facts (build, licence, health), each request
 * sent with the server's access token, answers validated into typed values, in the API version the
 * ApiVersionChooser says. Data flows one way: client -> token source -> token endpoint -> requester -> transport.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config/types.js';
import { ApiVersionChooser } from './api-version.js';
import { TokenSource, tokenEndpoint } from './auth.js';
import type { ByteBudget } from './byte-budget.js';
import type { Limit } from './concurrency-limit.js';
import { HttpStatusError, Vb365Error, hasCode } from './errors.js';
import { PagedListing } from './paging.js';
import {
  ItemValidator,
  backupRepositoryItems,
  objectStorageItems,
  organizationItems,
  usedRepositoryItems,
  type ItemRules,
} from './parse.js';
import { parseHealth, parseLicense, parseServiceInstance } from './parse-server.js';
import { KnownSecrets } from './redact.js';
import { Requester, type RequestEvents } from './requester.js';
import { routes, type Endpoint, type ListingRoute, type Route } from './routes.js';
import { Transport } from './transport.js';
import type { ApiVersion } from '../config/types.js';
import type {
  BackupRepository,
  HealthReport,
  License,
  Listing,
  ObjectStorage,
  Organization,
  ServiceInstance,
  UsedRepository,
} from './types.js';

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

  organizations(signal: AbortSignal): Promise<Listing<Organization>> {
    return this.listing(routes.organizations(this.version), organizationItems, signal);
  }

  usedRepositories(organizationId: string, signal: AbortSignal): Promise<Listing<UsedRepository>> {
    return this.listing(routes.usedRepositories(this.version, organizationId), usedRepositoryItems, signal);
  }

  backupRepositories(signal: AbortSignal): Promise<Listing<BackupRepository>> {
    return this.listing(routes.backupRepositories(this.version), backupRepositoryItems, signal);
  }

  /** v6/v7 only: v8 embeds the object storage in each backup repository. */
  objectStorageRepositories(signal: AbortSignal): Promise<Listing<ObjectStorage>> {
    return this.listing(routes.objectStorageRepositories(this.version), objectStorageItems, signal);
  }

  async serviceInstance(signal: AbortSignal): Promise<ServiceInstance> {
    const { endpoint, path } = this.located(routes.serviceInstance(this.version));
    const json = await this.getJson(endpoint, path, signal);
    return this.requester.read(endpoint, () => parseServiceInstance(json));
  }

  async license(signal: AbortSignal): Promise<License> {
    const { endpoint, path } = this.located(routes.license(this.version));
    const json = await this.getJson(endpoint, path, signal);
    return this.requester.read(endpoint, () => parseLicense(json));
  }

  /** v8 only, anonymous: an unhealthy server answers 503 with the same report. */
  async health(signal: AbortSignal): Promise<HealthReport> {
    const { endpoint, path } = this.located(routes.health(this.version));
    const answer = await this.requester.send({ endpoint, method: 'GET', path, acceptStatuses: [503] }, signal);
    return this.requester.read(endpoint, () => parseHealth(answer.json));
  }

  private get version(): ApiVersion {
    const version = this.versions.current;
    // chooseVersion() comes first in every cycle; reaching this without a version is a bug.
    if (version === undefined) throw new Error('no API version chosen yet');
    return version;
  }

  /** One unauthenticated request: 401 or 403 (or an answer) where `version` is served, 404 where it is not. */
  private async probe(version: ApiVersion, signal: AbortSignal): Promise<boolean> {
    const { endpoint, path } = this.located(routes.versionProbe(version));
    const answer = await this.requester.send(
      { endpoint, method: 'GET', path, acceptStatuses: [401, 403, 404] },
      signal,
    );
    return answer.status !== 404;
  }

  private located(route: Route): Route {
    return { ...route, path: this.at(route.path) };
  }

  private async listing<T>(route: ListingRoute, rules: ItemRules<T>, signal: AbortSignal): Promise<Listing<T>> {
    const { endpoint } = route;
    const path = this.at(route.path);
    const listing = await this.pages(endpoint, path, rules, signal);
    if (listing.rejectedCount > 0) this.deps.events.rejected(endpoint, listing.rejectedCount);
    return listing;
  }

  private async pages<T>(
    endpoint: Endpoint,
    firstPath: string,
    rules: ItemRules<T>,
    signal: AbortSignal,
  ): Promise<Listing<T>> {
    const listing = new PagedListing(firstPath, (href) => this.resolveNext(href));
    const validator = new ItemValidator(rules);
    for (let path = listing.nextPath; path !== undefined; path = listing.nextPath) {
      const json = await this.getJson(endpoint, path, signal);
      validator.add(this.requester.read(endpoint, () => listing.read(json)));
    }
    return validator.listing();
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
  private async getJson(endpoint: Endpoint, path: string, signal: AbortSignal): Promise<unknown> {
    try {
      return await this.getJsonWithToken(endpoint, path, signal);
    } catch (error) {
      // A versioned path not found (not an organization that is gone): the version is looked for again.
      if (error instanceof HttpStatusError && error.status === 404 && error.endpoint !== 'used_repositories')
        this.versions.notFound();
      throw error;
    }
  }

  private async getJsonWithToken(endpoint: Endpoint, path: string, signal: AbortSignal): Promise<unknown> {
    for (let reauthenticated = false; ; reauthenticated = true) {
      // The valid token is taken without an await: a promise and a closure fewer for each of 10,000 requests.
      const accessToken = this.tokens.validToken() ?? (await this.loggedIn(signal));
      // The token's age that counts is at sending: a slow 401 to a fresh token is still a refusal.
      const sentAtMs = this.deps.clock.now();
      try {
        return (await this.requester.send({ endpoint, method: 'GET', path, accessToken }, signal)).json;
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
