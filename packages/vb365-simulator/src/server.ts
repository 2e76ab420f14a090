// startSimulator: an HTTP(S) server speaking the VB365 REST API subset the exporter uses.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { setMaxListeners } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorAnswer, rawJsonAnswer, type Answer } from './answer.js';
import { TokenStore } from './auth.js';
import { createSelfSignedCertificate } from './certificate.js';
import { SimulatorData } from './data.js';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { deliver } from './delivery.js';
import { FaultRules } from './faults.js';
import { handleCall, type HandlerContext } from './handlers.js';
import { matchRoute, organizationOf, type RouteMatch } from './routes.js';
import { addDemoState } from './demo.js';
import { addSeedData } from './seed.js';
import { createStats, requestEnded, requestStarted, resetStats } from './stats.js';
import {
  API_VERSIONS,
  LISTING_ROUTES,
  type ApiVersion,
  type FaultRule,
  type ListingRoute,
  type ListingShape,
  type RouteName,
  type Simulator,
  type SimulatorOptions,
} from './types.js';

const MAX_BODY_BYTES = 1024 * 1024;

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const useTls = options.tls ?? true;
  // Replaced by setVersions; each request reads the current list.
  let versions: readonly ApiVersion[] = servedVersions(options.versions ?? API_VERSIONS);
  const latencyMs = options.latencyMs ?? 0;
  const username = options.username ?? 'admin';
  const password = options.password ?? 'vb365-simulator';

  const clock = options.clock ?? { now: () => Date.now() };
  const data = new SimulatorData(clock.now());
  if (options.seed ?? true) addSeedData(data);
  if (options.demo === true) {
    if (options.seed === false) throw new Error('the demo state needs the seed data (seed: true)');
    addDemoState(data, new Date(data.startedAtMs));
  }
  data.generateProxies(options.proxyCount ?? 0);
  data.generateOrganizations(options.organizationCount ?? 0, options.repositoriesPerOrganization ?? 2, {
    jobsEach: options.jobsPerOrganization ?? 0,
    copyJobsEach: options.copyJobsPerOrganization ?? 0,
    sharedRepositories: options.sharedRepositoryCount ?? 0,
  });

  const stats = createStats();
  const tokens = new TokenStore(options.tokenLifetimeSeconds ?? 3600, () => clock.now(), options.tokenFactory);
  const faults = new FaultRules();
  const context: HandlerContext = {
    data,
    tokens,
    stats,
    pageSize: options.pageSize ?? 10_000,
    username,
    password,
    productVersion: options.productVersion,
    listingShapes: new Map(Object.entries(options.listingShapes ?? {}) as [ListingRoute, ListingShape][]),
    absentFields: new Map(Object.entries(options.absentFields ?? {}) as [RouteName, string[]][]),
    extendedViewFailure: failureStatus(options.extendedViewFailure),
  };
  // Aborted by close() so pending latency delays end at once.
  const lifetime = new AbortController();
  // Every pending latency delay listens on it: as many as requests in flight, which is not a leak.
  setMaxListeners(0, lifetime.signal);

  async function answerRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (options.control === true && url.pathname.toLowerCase().startsWith(CONTROL_PREFIX)) {
      const body = await readBody(req);
      deliver(res, handleControl(simulator, req.method ?? 'GET', url.pathname, body ?? ''));
      return;
    }
    const match = matchRoute(url.pathname, versions);
    stats.byRoute[match.route]++;
    const fault = faults.take(match.route, organizationOf(match));
    if (fault?.hang) {
      req.resume(); // read and drop the body; the answer never comes
      return;
    }
    const body = await readBody(req);
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: lifetime.signal });
    if (res.destroyed) return;
    const answer =
      body === undefined
        ? errorAnswer(413, versionOf(match), 'Request body too large.')
        : chooseAnswer(match, fault, req, url, body);
    if (fault?.retryAfter !== undefined) answer.headers['retry-after'] = fault.retryAfter;
    if (fault?.transformBody !== undefined) {
      answer.body = fault.transformBody(answer.body, {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        route: match.route,
        organizationId: organizationOf(match),
        authorization: req.headers.authorization,
        body: body ?? '',
        status: answer.status,
      });
    }
    deliver(res, answer, {
      trickleBytesPerSecond: fault?.trickleBytesPerSecond,
      resetMidBody: fault?.resetMidBody,
      omitContentLength: fault?.omitContentLength,
    });
  }

  function chooseAnswer(
    match: RouteMatch,
    fault: FaultRule | undefined,
    req: IncomingMessage,
    url: URL,
    body: string,
  ): Answer {
    if (fault?.status !== undefined) {
      return errorAnswer(fault.status, versionOf(match), http.STATUS_CODES[fault.status] ?? 'Simulated failure');
    }
    if (fault?.body !== undefined) return rawJsonAnswer(200, fault.body);
    return handleCall(context, match, {
      method: req.method ?? 'GET',
      query: lowerCaseQuery(url.searchParams),
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    });
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    requestStarted(stats);
    // Ends at 'prefinish' (the handler has ended the response: every byte is queued on the socket) or
    // 'close' (socket gone), whichever is first. Not 'finish': under load it can fire after the client
    // has already read the answer and sent its next request, which counted one request twice.
    let ended = false;
    const end = (finished: boolean): void => {
      if (ended) return;
      ended = true;
      if (!finished) stats.unfinishedResponses++;
      requestEnded(stats);
    };
    res.once('prefinish', () => end(true));
    res.once('close', () => end(false));
    answerRequest(req, res).catch((error: unknown) => {
      if (lifetime.signal.aborted || res.destroyed) return; // closing: nothing left to answer
      if (!res.headersSent) deliver(res, errorAnswer(500, undefined, `Simulator error: ${String(error)}`));
      else res.destroy();
    });
  }

  const certificate = useTls ? (options.certificate ?? (await createSelfSignedCertificate(host))) : undefined;
  const server = certificate
    ? https.createServer({ cert: certificate.cert, key: certificate.key }, onRequest)
    : http.createServer(onRequest);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (!useTls) stats.connections++;
  });
  if (useTls) {
    // Track the TLS sockets too: destroying them (not just the TCP socket below) closes their responses at once.
    server.on('secureConnection', (socket: Socket) => {
      stats.connections++;
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `${useTls ? 'https' : 'http'}://${hostForUrl(host)}:${port}`;

  let closing: Promise<void> | undefined;
  const simulator: Simulator = {
    url,
    ca: certificate?.cert,
    username,
    get password() {
      return context.password;
    },
    data,
    stats,
    resetStats: () => resetStats(stats),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    revokeAllTokens: () => tokens.revokeAll(),
    setPassword: (newPassword) => {
      context.password = newPassword;
    },
    get versions() {
      return versions;
    },
    setVersions: (next) => {
      versions = servedVersions(next);
    },
    setProductVersion: (build) => {
      context.productVersion = build;
    },
    setListingShape: (route, shape) => {
      for (const name of route === '*' ? LISTING_ROUTES : [route]) {
        if (shape === undefined) context.listingShapes.delete(name);
        else context.listingShapes.set(name, shape);
      }
    },
    setAbsentFields: (route, fields) => {
      context.absentFields.set(route, [...fields]);
    },
    setExtendedViewFailure: (status) => {
      context.extendedViewFailure = failureStatus(status);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        lifetime.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }).then(waitForSocketsClosed);
      return closing;
    },
  };
  return simulator;

  /** Resolves once every destroyed socket has emitted 'close', so responses (and inFlight) have ended too. */
  async function waitForSocketsClosed(): Promise<void> {
    while (sockets.size > 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A frozen copy in API_VERSIONS order; throws on a version the simulator does not know. */
function servedVersions(list: readonly ApiVersion[]): readonly ApiVersion[] {
  const unknown = list.filter((v) => !API_VERSIONS.includes(v));
  if (unknown.length > 0) throw new Error(`unknown API versions: ${unknown.join(', ')}`);
  return Object.freeze(API_VERSIONS.filter((v) => list.includes(v)));
}

/** An HTTP error status, or undefined; throws on anything else. */
function failureStatus(status: number | undefined): number | undefined {
  if (status === undefined) return undefined;
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new RangeError(`an error status (400-599) is expected, got ${String(status)}`);
  }
  return status;
}

function versionOf(match: RouteMatch): ApiVersion | undefined {
  return match.route === 'unknown' ? undefined : match.version;
}

/** Collects the request body as text; undefined when it exceeds MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** ASP.NET binds query parameters case-insensitively; the first occurrence wins. */
function lowerCaseQuery(params: URLSearchParams): Map<string, string> {
  const query = new Map<string, string>();
  for (const [name, value] of params) {
    const key = name.toLowerCase();
    if (!query.has(key)) query.set(key, value);
  }
  return query;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
