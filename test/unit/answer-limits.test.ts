/**
 * What answers in flight may hold: a UsedRepositories answer has a cap of its own (it is a few KB, so a
 * 12 MB one is refused although it is under max_response_bytes), the listings v6/v7 cannot send in pages
 * (Jobs, CopyJobs, Proxies) are capped by the answer budget instead of max_response_bytes, and all answers
 * being received share that budget. Over real sockets: the simulator, and a plain HTTP server for the transport.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_ORGANIZATION_IDS as ORG } from 'vb365-simulator';
import { systemClock } from '../../src/clock.js';
import { ByteBudget, answerBudgetFor } from '../../src/vb365/byte-budget.js';
import { Vb365Error, hasCode } from '../../src/vb365/errors.js';
import { SMALL_ANSWER_BYTES, answerLimit, routes, type Route } from '../../src/vb365/routes.js';
import { backupRepositoriesRoute } from '../../src/facts/backup-repositories/parse.js';
import { backupJobsRoute, copyJobsRoute } from '../../src/facts/jobs/parse.js';
import { proxiesRoute } from '../../src/facts/proxies.js';
import { organizationsRoute } from '../../src/facts/organizations/listing.js';
import { usedRepositoriesRoute } from '../../src/facts/organizations/used-repositories.js';
import { Transport } from '../../src/vb365/transport.js';
import { createLogger } from '../../src/logger.js';
import { concurrencyLimit } from '../../src/vb365/concurrency-limit.js';
import { KnownSecrets } from '../../src/vb365/redact.js';
import { Requester } from '../../src/vb365/requester.js';
import { SEED_ORGS, expectExported, requests } from '../support/fault-checks.js';
import { startHarness, type Harness } from '../support/harness.js';

let harness: Harness | undefined;
let server: Server | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await agent?.close();
  agent = undefined;
  if (server !== undefined) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A transport to a plain HTTP server on loopback, sharing `budget`. */
function plainTransport(dispatcher: Agent, port: number, budget: ByteBudget): Transport {
  return new Transport({
    dispatcher,
    origin: `http://127.0.0.1:${port}`,
    timeoutMs: 5_000,
    budget,
    clock: systemClock,
    settings: { urlSetting: 'url', caSetting: 'ca_file', insecureSetting: 'tls_insecure', caConfigured: false },
  });
}

describe('the byte budget', () => {
  it('takes bytes up to its limit, refuses what would pass it, and takes again what was given back', () => {
    const budget = new ByteBudget(100);
    expect(budget.tryTake(60)).toBe(true);
    expect(budget.tryTake(41)).toBe(false);
    expect(budget.used).toBe(60);
    expect(budget.tryTake(40)).toBe(true);
    budget.giveBack(60);
    expect(budget.used).toBe(40);
    expect(budget.tryTake(60)).toBe(true);
    expect(() => budget.giveBack(101)).toThrow('gave back 101 bytes of the 100 taken');
  });

  it('is four of the largest max_response_bytes of the servers', () => {
    expect(answerBudgetFor([{ maxResponseBytes: 16 * 2 ** 20 }, { maxResponseBytes: 2 ** 20 }]).limitBytes).toBe(
      64 * 2 ** 20,
    );
  });
});

describe('answer caps per endpoint', () => {
  it('gives token and UsedRepositories answers 1 MiB (never more than max_response_bytes), listings max_response_bytes', () => {
    const max = 16 * 2 ** 20;
    expect(SMALL_ANSWER_BYTES).toBe(2 ** 20);
    const capOf = (route: Route, maxResponseBytes = max) =>
      answerLimit(route, { maxResponseBytes, answerBudgetBytes: 4 * max });
    const usedRepositories = usedRepositoriesRoute('0a000000-0000-4000-8000-000000000000')('v8');
    expect(capOf(usedRepositories)).toEqual({ bytes: 2 ** 20, limit: 'small_answer' });
    expect(capOf(routes.token('v8'))).toEqual({ bytes: 2 ** 20, limit: 'small_answer' });
    expect(capOf(organizationsRoute()('v8'))).toEqual({ bytes: max, limit: 'max_response_bytes' });
    expect(capOf(backupRepositoriesRoute('v8'))).toEqual({ bytes: max, limit: 'max_response_bytes' });
    expect(capOf(usedRepositories, 65_536)).toEqual({ bytes: 65_536, limit: 'max_response_bytes' });
  });

  it('gives the v6/v7 Jobs, CopyJobs and Proxies arrays the answer budget; their v8 pages and every other listing max_response_bytes', () => {
    const max = 16 * 2 ** 20;
    const budget = 4 * max;
    const capOf = (route: Route, answerBudgetBytes = budget) =>
      answerLimit(route, { maxResponseBytes: max, answerBudgetBytes });
    for (const unpaged of [backupJobsRoute, copyJobsRoute, proxiesRoute]) {
      for (const version of ['v6', 'v7'] as const) {
        expect(unpaged(version).unpaged, `${unpaged(version).path}`).toBe(true);
        expect(capOf(unpaged(version))).toEqual({ bytes: budget, limit: 'answer_budget' });
        // Read when the request is made: a reload that raises every server's cap raises this one too.
        expect(capOf(unpaged(version), 8 * max)).toEqual({ bytes: 8 * max, limit: 'answer_budget' });
      }
      // v8 asks them in pages: each page stays under max_response_bytes.
      expect(capOf(unpaged('v8'))).toEqual({ bytes: max, limit: 'max_response_bytes' });
    }
    for (const version of ['v6', 'v7', 'v8'] as const) {
      expect(capOf(organizationsRoute()(version))).toEqual({ bytes: max, limit: 'max_response_bytes' });
      expect(capOf(backupRepositoriesRoute(version))).toEqual({ bytes: max, limit: 'max_response_bytes' });
    }
    expect(capOf(routes.token('v7'))).toEqual({ bytes: 2 ** 20, limit: 'small_answer' });
    // Never below max_response_bytes, whatever the budget says.
    expect(capOf(backupJobsRoute('v7'), max / 2)).toEqual({ bytes: max, limit: 'max_response_bytes' });
  });

  it('names the answer budget when an unpaged listing passes it', () => {
    expect(Vb365Error.tooLarge(67_108_864, 'answer_budget').message).toBe(
      'the answer is larger than the answer budget (67108864 bytes: 4 x the largest max_response_bytes), which caps the listings the server cannot send in pages (v6/v7 Jobs, CopyJobs, Proxies)',
    );
    expect(Vb365Error.tooLarge(67_108_864, 'answer_budget').code).toBe('too_large');
  });

  it('refuses a 12 MB UsedRepositories answer under max_response_bytes; the other organizations are intact', async () => {
    harness = await startHarness();
    const padding = 'x'.repeat(12 * 1000 * 1000);
    harness.simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      transformBody: (body) => `${body.slice(0, -1)},"padding":"${padding}"}`,
    });
    await harness.exporter.pollNow();
    const text = await harness.metricsText();
    const contoso = harness.exporter.store.servers()[0]?.organizations.find((org) => org.id === ORG.contoso);
    expect(contoso?.pollSuccess).toBe(false);
    expect(contoso?.lastError).toBe(
      'the answer is larger than the 1048576 bytes an answer of this kind may hold (token, UsedRepositories)',
    );
    expect(requests(text, 'used_repositories', 'too_large')).toBe(1); // refused at once, not retried
    for (const organizationId of SEED_ORGS.filter((id) => id !== ORG.contoso))
      expectExported(text, harness.simulator, organizationId);
  });
});

describe('answers in flight share the budget', () => {
  it('refuses the answer that would pass it, and gives every byte back', async () => {
    // Three answers of 60 KB, sent in two halves and ended only later: all three hold 60 KB at once.
    const half = Buffer.alloc(30_000, 'a');
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(Buffer.concat([Buffer.from('"'), half]));
      setTimeout(() => response.write(half), 100);
      setTimeout(() => response.end('"'), 300);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    agent = new Agent({ connections: 3 });
    const budget = new ByteBudget(150_000); // room for two whole answers, not three
    const transport = plainTransport(agent, port, budget);
    const never = new AbortController().signal;
    const exchange = {
      method: 'GET' as const,
      path: '/',
      headers: {},
      sizeLimit: { bytes: 1_000_000, limit: 'max_response_bytes' as const },
    };
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => transport.send(exchange, never)));
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    expect(refused).toHaveLength(1);
    const reason: unknown = refused[0]?.status === 'rejected' ? refused[0].reason : undefined;
    expect(hasCode(reason, 'too_large')).toBe(true);
    expect((reason as Error).message).toBe(
      'the answers in flight would hold more than the 150000 bytes they may share; try again next cycle',
    );
    expect(budget.used).toBe(0);
  });
});

describe('an answer refused for its own size', () => {
  it('gives back exactly what it took, leaving the bytes of an answer still in flight counted', async () => {
    const part = Buffer.alloc(30_000, 'a');
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(Buffer.concat([Buffer.from('"'), part]));
      if (request.url === '/big') setTimeout(() => response.end(Buffer.concat([part, Buffer.from('"')])), 50);
      else void released.then(() => response.end('"'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    agent = new Agent({ connections: 2 });
    const budget = new ByteBudget(1_000_000);
    const transport = plainTransport(agent, port, budget);
    const never = new AbortController().signal;
    const exchange = (path: string, bytes: number) => ({
      method: 'GET' as const,
      path,
      headers: {},
      sizeLimit: { bytes, limit: 'max_response_bytes' as const },
    });
    const held = transport.send(exchange('/held', 1_000_000), never);
    while (budget.used < 30_001) await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(transport.send(exchange('/big', 40_000), never)).rejects.toThrow(
      'the answer is larger than max_response_bytes (40000 bytes)',
    );
    expect(budget.used).toBe(30_001); // the held answer's bytes, still in flight
    release();
    await held;
    expect(budget.used).toBe(0);
  });
});

describe('the cap of a listing the server cannot page', () => {
  it('is the answer budget as it is when the request is made, never less than max_response_bytes', async () => {
    // A 100,000-byte answer: above max_response_bytes (64 KiB), then above and under the budget.
    const body = JSON.stringify('a'.repeat(99_998));
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    agent = new Agent({ connections: 1 });
    const budget = new ByteBudget(80_000);
    const codes: string[] = [];
    const requester = new Requester({
      transport: plainTransport(agent, port, budget),
      maxResponseBytes: 65_536,
      answerBudgetBytes: () => budget.limitBytes,
      limit: concurrencyLimit(1),
      clock: systemClock,
      random: () => 0.5,
      logger: createLogger('silent'),
      events: { request: (_endpoint, code) => codes.push(code), invalidAnswer: () => undefined },
      secrets: new KnownSecrets('p'),
    });
    const never = new AbortController().signal;
    const get = (unpaged: boolean) =>
      requester.send({ endpoint: 'jobs', method: 'GET', path: '/v7/Jobs', unpaged }, never);
    await expect(get(true)).rejects.toThrow(
      'the answer is larger than the answer budget (80000 bytes: 4 x the largest max_response_bytes)',
    );
    budget.setLimit(262_144); // a reload raised a server's max_response_bytes
    expect(((await get(true)).json as string).length).toBe(99_998);
    await expect(get(false)).rejects.toThrow('the answer is larger than max_response_bytes (65536 bytes)');
    expect(codes).toEqual(['too_large', '200', 'too_large']); // none retried
    expect(budget.used).toBe(0);
  });
});
