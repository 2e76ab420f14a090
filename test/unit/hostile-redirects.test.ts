/**
 * Hostile servers, part 3: redirects. The VB365 server answers the token request, the Organizations listing
 * or one organization's UsedRepositories poll with a 301, 302, 307 or 308 pointing at another host (a plain
 * HTTP server on 127.0.0.2 that records every connection and every byte). The exporter follows none of them:
 * the other host never sees a connection, so never the bearer token, the Authorization header or the password;
 * the request fails with the redirect's status, counted once (redirects are not retried), whether the body is
 * empty or the HTML page IIS sends (which was counted as `invalid_json` before: the status was lost).
 *
 * In front of the simulator sits a small HTTPS server that forwards every request to it, except the one
 * route the test redirects (the simulator's fault rules cannot send a Location header).
 */
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SEED_ORGANIZATION_IDS as ORG,
  createSelfSignedCertificate,
  startSimulator,
  type Simulator,
} from 'vb365-simulator';
import {
  ITEMS_SKIPPED,
  LISTING_FAILED,
  ORG_POLL_FAILED,
  expectHealthy,
  expectOthersIntact,
  logLines,
  pollSuccess,
  requests,
  up,
} from '../support/fault-checks.js';
import { startExporterFor, testServerConfig, type ExporterHarness } from '../support/harness.js';

/** A password with characters that form encoding changes, so every encoded form can be looked for. */
const PASSWORD = 'Redirect-Pa$$ w0rd/&=+%é';
const ACCESS_TOKEN_PREFIX = 'redirect-test-access-';
const REFRESH_TOKEN_PREFIX = 'redirect-test-refresh-';

type RedirectedRoute = 'token' | 'organizations' | 'used_repositories';
const REDIRECT_STATUSES = [301, 302, 307, 308] as const;

/** What IIS answers with a redirect (a server's body is HTML, not JSON). */
const movedPage = (location: string): string =>
  `<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This document may be found <a HREF="${location}">here</a></body>`;

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** The other host: counts TCP connections and keeps every byte received, and every request parsed. */
interface OtherHost {
  readonly origin: string;
  connections: number;
  raw: Buffer[];
  readonly requests: Recorded[];
  close(): Promise<void>;
}

async function startOtherHost(): Promise<OtherHost> {
  const server = createHttpServer((request, response) => {
    void readBody(request).then((body) => {
      host.requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    host.connections++;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => host.raw.push(chunk));
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, '127.0.0.2');
  const host: OtherHost = {
    origin: `http://127.0.0.2:${(server.address() as AddressInfo).port}`,
    connections: 0,
    raw: [],
    requests: [],
    close: () => closeServer(server, sockets),
  };
  return host;
}

/** The VB365 server as the exporter sees it: HTTPS, forwarding to the simulator unless `redirect` says otherwise. */
interface Front {
  readonly url: string;
  readonly ca: string;
  /** The route answered with a redirect, with which status and body; undefined forwards everything. */
  redirect: { route: RedirectedRoute; status: number; body: 'html' | 'empty' } | undefined;
  /** Redirects answered. */
  redirected: number;
  close(): Promise<void>;
}

function routeOf(method: string, path: string): RedirectedRoute | undefined {
  const pathname = path.split('?', 1)[0] ?? '';
  if (method === 'POST' && /^\/v8\/Token$/i.test(pathname)) return 'token';
  if (method === 'GET' && /^\/v8\/Organizations$/i.test(pathname)) return 'organizations';
  // Only Contoso's poll is redirected: the other organizations show nothing else is disturbed.
  if (method === 'GET' && pathname.toLowerCase() === `/v8/organizations/${ORG.contoso}/usedrepositories`)
    return 'used_repositories';
  return undefined;
}

async function startFront(simulator: Simulator, otherHost: OtherHost): Promise<Front> {
  const certificate = await createSelfSignedCertificate('127.0.0.1');
  const upstream = new URL(simulator.url);
  const server: HttpsServer = createHttpsServer(certificate, (request, response) => {
    void readBody(request).then((body) => {
      const method = request.method ?? 'GET';
      const path = request.url ?? '/';
      const redirect = front.redirect;
      if (redirect !== undefined && routeOf(method, path) === redirect.route) {
        front.redirected++;
        const location = `${otherHost.origin}${path}`;
        const page = redirect.body === 'html' ? movedPage(location) : '';
        response
          .writeHead(redirect.status, { location, ...(page === '' ? {} : { 'content-type': 'text/html' }) })
          .end(page);
        return;
      }
      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method,
          path,
          headers: { ...request.headers, host: upstream.host },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => response.destroy());
      forwarded.end(body);
    });
  });
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, '127.0.0.1');
  const front: Front = {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: certificate.cert,
    redirect: undefined,
    redirected: 0,
    close: () => closeServer(server, sockets),
  };
  return front;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function listen(server: NetServer, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
}

function closeServer(server: NetServer, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

let simulator: Simulator;
let otherHost: OtherHost;
let front: Front;
const issuedTokens: string[] = [];

beforeAll(async () => {
  simulator = await startSimulator({
    tls: false,
    password: PASSWORD,
    tokenFactory: (kind, sequence) => {
      const token = `${kind === 'access' ? ACCESS_TOKEN_PREFIX : REFRESH_TOKEN_PREFIX}${sequence}`;
      issuedTokens.push(token);
      return token;
    },
  });
  otherHost = await startOtherHost();
  front = await startFront(simulator, otherHost);
});

afterAll(async () => {
  await front.close();
  await otherHost.close();
  await simulator.close();
});

let harness: ExporterHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  front.redirect = undefined;
});

/** An exporter polling the simulator through the front, after its first cycle. */
async function startExporter(): Promise<ExporterHarness> {
  front.redirected = 0;
  otherHost.connections = 0;
  otherHost.raw = [];
  otherHost.requests.length = 0;
  simulator.resetStats();
  harness = await startExporterFor([
    testServerConfig({ url: front.url, ca: front.ca, username: simulator.username, password: PASSWORD }),
  ]);
  return harness;
}

/** Every way a secret could appear in what the other host received. */
function secretForms(): string[] {
  const form = new URLSearchParams({ password: PASSWORD }).toString().slice('password='.length);
  return [
    PASSWORD,
    encodeURIComponent(PASSWORD),
    form,
    ...issuedTokens,
    ACCESS_TOKEN_PREFIX,
    REFRESH_TOKEN_PREFIX,
    Buffer.from(PASSWORD).toString('base64'),
  ];
}

/** The other host saw nothing: no connection, no byte, no request; so no token, header or password either. */
function expectOtherHostUntouched(): void {
  const received = Buffer.concat(otherHost.raw).toString('latin1');
  for (const secret of secretForms()) expect(received).not.toContain(secret);
  expect(received.toLowerCase()).not.toContain('authorization');
  expect(received.toLowerCase()).not.toContain('bearer');
  for (const request of otherHost.requests) {
    expect(request.headers.authorization).toBeUndefined();
    for (const secret of secretForms()) expect(request.body).not.toContain(secret);
  }
  expect(otherHost.requests).toEqual([]);
  expect(otherHost.raw).toEqual([]);
  expect(otherHost.connections).toBe(0);
}

const CASES = REDIRECT_STATUSES.flatMap((status) => (['html', 'empty'] as const).map((body) => ({ status, body })));

describe.each(CASES)('a $status redirect to another host ($body body)', ({ status, body }) => {
  it('of the token request: the password goes nowhere else; the login fails with that status', async () => {
    front.redirect = { route: 'token', status, body };
    const h = await startExporter();
    const { exporter, logs } = h;
    const text = await h.metricsText();

    expectOtherHostUntouched();
    expect(front.redirected).toBe(1); // not retried
    expect(requests(text, 'token', String(status))).toBe(1);
    expect(requests(text, 'organizations', '200')).toBe(0);
    expect(up(text)).toBe(0);
    const reason = `token answered HTTP ${status}`;
    expect(logLines(logs.lines, 'login failed', { reason, consecutiveFailures: 1 })).toHaveLength(1);
    expect(logLines(logs.lines, LISTING_FAILED, { reason })).toHaveLength(1);
    expect(simulator.stats.byRoute.token).toBe(0);
    await expectHealthy(exporter.url);
  });

  it('of the Organizations listing: the bearer token goes nowhere else; the listing fails with that status', async () => {
    front.redirect = { route: 'organizations', status, body };
    const h = await startExporter();
    const { exporter, logs } = h;
    const text = await h.metricsText();

    expectOtherHostUntouched();
    expect(front.redirected).toBe(1);
    expect(requests(text, 'token', '200')).toBe(1);
    expect(requests(text, 'organizations', String(status))).toBe(1);
    expect(up(text)).toBe(0);
    expect(logLines(logs.lines, LISTING_FAILED, { reason: `organizations answered HTTP ${status}` })).toHaveLength(1);
    expect(simulator.stats.byRoute.used_repositories).toBe(0);
    await expectHealthy(exporter.url);
  });

  it('of one UsedRepositories poll: that organization fails with that status, the others are intact', async () => {
    front.redirect = { route: 'used_repositories', status, body };
    const h = await startExporter();
    const { exporter, logs } = h;
    const text = await h.metricsText();

    expectOtherHostUntouched();
    expect(front.redirected).toBe(1);
    expect(requests(text, 'used_repositories', String(status))).toBe(1);
    expect(up(text)).toBe(1);
    expect(pollSuccess(text, ORG.contoso)).toBe(0);
    expectOthersIntact(text, simulator, [ORG.contoso]);
    expect(
      logLines(logs.lines, ORG_POLL_FAILED, {
        organizationId: ORG.contoso,
        reason: `used_repositories answered HTTP ${status}`,
      }),
    ).toHaveLength(1);
    expect(logLines(logs.lines, ITEMS_SKIPPED)).toEqual([]);
    await expectHealthy(exporter.url);
  });
});
