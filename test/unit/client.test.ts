/** Unit tests of the VB365 client's retry, back-off, paging and size rules, with undici's MockAgent. */
import { concurrencyLimit } from '../../src/vb365/concurrency-limit.js';
import { pino } from 'pino';
import { MockAgent } from 'undici';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/config/types.js';
import { ByteBudget } from '../../src/vb365/byte-budget.js';
import { Vb365Client } from '../../src/vb365/client.js';
import { HttpStatusError, Vb365Error } from '../../src/vb365/errors.js';
import { organizationItems, organizationsRoute } from '../../src/facts/organizations/listing.js';
import { readUsedRepositories } from '../../src/facts/organizations/used-repositories.js';
import type { FakeClock } from '../support/fake-clock.js';
import { fakeClockSkippingRetries, testServerConfig } from '../support/harness.js';

const ORIGIN = 'https://vb365.test:4443';
const ORG = '7665cf30-ee89-4d0d-a343-2776da77ed79';
const REPO = 'cfe34111-3331-45c0-babf-0be32e030444';
const TOKEN = {
  access_token: 'a1',
  refresh_token: 'r1',
  token_type: 'bearer',
  expires_in: 3600,
  userName: 'u',
  '.issued': '',
  '.expires': '',
};
const json = { headers: { 'content-type': 'application/json; charset=utf-8' } };
const item = {
  usedSpaceBytes: 1,
  localCacheUsedSpaceBytes: 2,
  objectStorageUsedSpaceBytes: 3,
  isAvailable: true,
  details: '',
  _links: { backupRepository: { href: `/v6/backuprepositories/${REPO}` } },
};
const page = (results: unknown[], next?: string): object => ({
  offset: 0,
  limit: 10000,
  results,
  _links: { self: { href: '/x' }, ...(next === undefined ? {} : { next: { href: next } }) },
});

let agent: MockAgent;
let clock: FakeClock;
let requests: string[];
let invalidAnswers: string[];

function client(overrides: Partial<ServerConfig> = {}): Vb365Client {
  const server = testServerConfig({ name: 't', url: ORIGIN, apiVersion: 'v6', pollIntervalSeconds: 300, ...overrides });
  return new Vb365Client({
    server,
    dispatcher: agent,
    answerBudget: new ByteBudget(64 * 1024 * 1024),
    limit: concurrencyLimit(server.pollConcurrency),
    clock,
    random: () => 1,
    logger: pino({ level: 'silent' }),
    events: {
      request: (endpoint, code) => requests.push(`${endpoint} ${code}`),
      rejected: () => undefined,
      invalidAnswer: (endpoint) => invalidAnswers.push(endpoint),
    },
  });
}

const pool = () => agent.get(ORIGIN);
const login = (): void => void pool().intercept({ path: '/v6/token', method: 'POST' }).reply(200, TOKEN, json);
const usedRepositories = () =>
  pool().intercept({ path: (path) => path.startsWith(`/v6/Organizations/${ORG}/usedRepositories`), method: 'GET' });
const signal = new AbortController().signal;
const listAllOrganizations = (c: Vb365Client, abort: AbortSignal) =>
  c.listing(organizationsRoute, organizationItems, abort);

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  clock = fakeClockSkippingRetries();
  requests = [];
  invalidAnswers = [];
});

describe('retries', () => {
  it('retries 503 and 502 with growing back-off, then succeeds', async () => {
    login();
    usedRepositories().reply(503, { message: 'busy' }, json);
    usedRepositories().reply(502, '', {});
    usedRepositories().reply(200, page([item]), json);
    const listing = await readUsedRepositories(client(), ORG, signal);
    expect(listing.items).toHaveLength(1);
    expect(requests).toEqual(['token 200', 'used_repositories 503', 'used_repositories 502', 'used_repositories 200']);
    expect(clock.skippedSleeps).toEqual([500, 1000]);
  });

  it('honours Retry-After in seconds and as an HTTP date', async () => {
    login();
    usedRepositories().reply(429, { message: 'slow down' }, { headers: { 'retry-after': '7' } });
    // The fake clock starts on a whole second, as HTTP dates have.
    usedRepositories().reply(503, '', { headers: { 'retry-after': new Date(clock.now() + 20_000).toUTCString() } });
    usedRepositories().reply(200, page([item]), json);
    await readUsedRepositories(client(), ORG, signal);
    expect(clock.skippedSleeps).toEqual([7000, 20_000]);
  });

  it('gives up at once when Retry-After asks for more than a cycle can afford', async () => {
    login();
    usedRepositories().reply(429, { message: 'come back in an hour' }, { headers: { 'retry-after': '3600' } });
    const error = await readUsedRepositories(client(), ORG, signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).message).toBe('used_repositories answered HTTP 429: come back in an hour');
    expect(clock.skippedSleeps).toEqual([]);
  });

  it('stops after three attempts of a 429 storm', async () => {
    login();
    usedRepositories().reply(429, '', {}).times(5);
    await expect(readUsedRepositories(client(), ORG, signal)).rejects.toThrow('HTTP 429');
    expect(requests.filter((request) => request === 'used_repositories 429')).toHaveLength(3);
    expect(clock.skippedSleeps).toEqual([500, 1000]); // random() = 1: the whole of 0.5 s and 1 s
  });

  it('does not retry a 500 or a 404', async () => {
    login();
    usedRepositories().reply(500, { message: 'boom' }, json);
    await expect(readUsedRepositories(client(), ORG, signal)).rejects.toThrow(
      'used_repositories answered HTTP 500: boom',
    );
    expect(clock.skippedSleeps).toEqual([]);
  });

  it('retries a network error', async () => {
    login();
    usedRepositories().replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    usedRepositories().reply(200, page([item]), json);
    await readUsedRepositories(client(), ORG, signal);
    expect(requests).toEqual(['token 200', 'used_repositories network', 'used_repositories 200']);
  });
});

describe('login', () => {
  it('backs off after a refused login instead of trying again at once', async () => {
    pool()
      .intercept({ path: '/v6/token', method: 'POST' })
      .reply(400, { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' }, json);
    const c = client();
    await expect(readUsedRepositories(c, ORG, signal)).rejects.toThrow(
      'token answered HTTP 400: The user name or password is incorrect.',
    );
    const second = await readUsedRepositories(c, ORG, signal).catch((caught: unknown) => caught);
    expect(second).toBeInstanceOf(Vb365Error);
    expect((second as Vb365Error).code).toBe('login_backoff');
    expect(requests).toEqual(['token 400', 'token login_backoff']);
  });

  it('sends the password grant with disable_antiforgery_token, form-encoded', async () => {
    let body = '';
    pool()
      .intercept({ path: '/v6/token', method: 'POST', body: (text) => ((body = text), true) })
      .reply(200, TOKEN, json);
    usedRepositories().reply(200, page([]), json);
    await readUsedRepositories(client({ password: 'p&ss=word' }), ORG, signal);
    expect(new URLSearchParams(body).get('password')).toBe('p&ss=word');
    expect(Object.fromEntries(new URLSearchParams(body))).toMatchObject({
      grant_type: 'password',
      username: 'u',
      disable_antiforgery_token: 'true',
    });
  });
});

describe('paging and answers', () => {
  it('follows next links and refuses one that loops', async () => {
    login();
    usedRepositories().reply(200, page([item], `/v6/Organizations/${ORG}/usedRepositories?offset=1&limit=1`), json);
    usedRepositories().reply(200, page([], `/v6/Organizations/${ORG}/usedRepositories?offset=1&limit=1`), json);
    await expect(readUsedRepositories(client(), ORG, signal)).rejects.toMatchObject({ code: 'invalid_answer' });
  });

  it('refuses a next link to another server, so the token never leaves', async () => {
    login();
    usedRepositories().reply(200, page([item], 'https://elsewhere.example/v6/x'), json);
    await expect(readUsedRepositories(client(), ORG, signal)).rejects.toThrow('the next link points to another server');
  });

  it('reads v8 organization pages and v6 arrays', async () => {
    login();
    pool()
      .intercept({ path: '/v6/Organizations?extendedView=false', method: 'GET' })
      .reply(200, [{ id: ORG, name: 'Contoso' }], json);
    expect((await listAllOrganizations(client(), signal)).items).toEqual([{ id: ORG, name: 'Contoso' }]);
    pool().intercept({ path: '/v8/token', method: 'POST' }).reply(200, TOKEN, json);
    pool()
      .intercept({ path: '/v8/Organizations?extendedView=false&offset=0&limit=10000', method: 'GET' })
      .reply(200, page([{ id: ORG.toUpperCase(), name: 'Contoso' }]), json);
    expect((await listAllOrganizations(client({ apiVersion: 'v8' }), signal)).items).toEqual([
      { id: ORG, name: 'Contoso' },
    ]);
  });

  it('refuses an answer larger than the cap without reading it all', async () => {
    login();
    usedRepositories().reply(200, 'x'.repeat(4096), json);
    const error = await readUsedRepositories(client({ maxResponseBytes: 1024 }), ORG, signal).catch(
      (caught: unknown) => caught,
    );
    expect((error as Vb365Error).code).toBe('too_large');
    expect(requests).toContain('used_repositories too_large');
  });

  it('refuses malformed JSON', async () => {
    login();
    usedRepositories().reply(200, '{"results": [', json);
    const error = await readUsedRepositories(client(), ORG, signal).catch((caught: unknown) => caught);
    expect((error as Vb365Error).code).toBe('invalid_json');
  });

  it('counts an answer refused as a whole against the endpoint that gave it, a bad token answer against token only', async () => {
    pool()
      .intercept({ path: '/v6/token', method: 'POST' })
      .reply(200, { token_type: 'bearer', expires_in: 3600 }, json);
    await expect(readUsedRepositories(client(), ORG, signal)).rejects.toMatchObject({
      code: 'invalid_answer',
      message: 'the token answer lacks access_token or a positive expires_in',
    });
    expect(invalidAnswers).toEqual(['token']);
    login();
    usedRepositories().reply(200, { results: 'none' }, json);
    await expect(readUsedRepositories(client(), ORG, signal)).rejects.toMatchObject({ code: 'invalid_answer' });
    expect(invalidAnswers).toEqual(['token', 'used_repositories']);
  });

  it('refuses a page holding more items than a page may (bounding what one answer can cost)', async () => {
    login();
    usedRepositories().reply(200, page(Array.from({ length: 10_001 }, () => 1)), json);
    await expect(readUsedRepositories(client(), ORG, signal)).rejects.toThrow(
      'a page holds 10001 items, more than the 10000 a page may hold',
    );
  });

  it('counts every rejected item but keeps only a few reasons', async () => {
    login();
    usedRepositories().reply(200, page([...Array.from({ length: 500 }, () => 'junk'), item]), json);
    const listing = await readUsedRepositories(client(), ORG, signal);
    expect(listing.items).toHaveLength(1);
    expect(listing.rejectedCount).toBe(500);
    expect(listing.rejected).toHaveLength(5);
  });

  it('redacts a secret quoted in a long error message before shortening it', async () => {
    login();
    const password = 'Sup3r-Secret-Passw0rd';
    // The password straddles the 200-character cut: shortening first would leave its start in the message.
    usedRepositories().reply(400, { message: `${'x'.repeat(185)} you sent ${password}` }, json);
    const error = (await readUsedRepositories(client({ password }), ORG, signal).catch(
      (caught: unknown) => caught,
    )) as Error;
    expect(error.message.endsWith(' you sent [reda')).toBe(true);
    expect(error.message).not.toContain('Sup3r');
  });

  it('uses the path prefix of the base URL for every request and next link', async () => {
    pool().intercept({ path: '/vb365/v6/token', method: 'POST' }).reply(200, TOKEN, json);
    pool()
      .intercept({ path: `/vb365/v6/Organizations/${ORG}/usedRepositories?offset=0&limit=10000`, method: 'GET' })
      .reply(200, page([item], `/v6/Organizations/${ORG}/usedRepositories?offset=1`), json);
    pool()
      .intercept({ path: `/vb365/v6/Organizations/${ORG}/usedRepositories?offset=1`, method: 'GET' })
      .reply(200, page([]), json);
    expect((await readUsedRepositories(client({ url: `${ORIGIN}/vb365` }), ORG, signal)).items).toHaveLength(1);
  });
});
