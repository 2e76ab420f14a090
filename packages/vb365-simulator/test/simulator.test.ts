// Behaviour of the bundled VB365 simulator over real sockets (TLS verified against its generated CA).
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  SEED_NORD_REPOSITORY_NAME,
  SEED_OFFLINE_DETAILS,
  SEED_ORGANIZATION_IDS,
  SEED_REPOSITORY_IDS,
  startSimulator,
  type ApiVersion,
  type Simulator,
  type SimulatorOptions,
} from '../src/index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

interface CallOptions {
  method?: 'GET' | 'POST';
  token?: string;
  form?: Record<string, string>;
  agent?: Agent;
}

const agents = new WeakMap<Simulator, Agent>();
const started: Simulator[] = [];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator(options);
  started.push(sim);
  agents.set(sim, newAgent(sim));
  return sim;
}

function newAgent(sim: Simulator): Agent {
  return new Agent(sim.ca === undefined ? {} : { connect: { ca: sim.ca } });
}

async function call(sim: Simulator, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const dispatcher = options.agent ?? agents.get(sim);
  if (!dispatcher) throw new Error('simulator not started through start()');
  const response = await request(`${sim.url}${path}`, {
    method: options.method ?? (options.form ? 'POST' : 'GET'),
    headers,
    body: body ?? null,
    dispatcher,
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

async function grant(sim: Simulator, form: Record<string, string>, version: ApiVersion = 'v6'): Promise<Reply> {
  return call(sim, `/${version}/token`, { form });
}

async function login(sim: Simulator, version: ApiVersion = 'v6'): Promise<{ access: string; refresh: string }> {
  const reply = await grant(sim, { grant_type: 'password', username: sim.username, password: sim.password }, version);
  expect(reply.status).toBe(200);
  const body = reply.json as { access_token: string; refresh_token: string };
  return { access: body.access_token, refresh: body.refresh_token };
}

interface Page {
  offset: number;
  limit: number;
  results: Record<string, unknown>[];
  _links: { self: { href: string }; next?: { href: string } };
  setId?: string;
}

/** Follows `_links.next` from `path` and returns every page. */
async function allPages(sim: Simulator, path: string, token: string): Promise<Page[]> {
  const pages: Page[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const reply = await call(sim, next, { token });
    expect(reply.status).toBe(200);
    const page = reply.json as Page;
    pages.push(page);
    next = page._links.next?.href;
    expect(pages.length).toBeLessThan(100);
  }
  return pages;
}

afterAll(async () => {
  await Promise.all(started.map((sim) => sim.close()));
  for (const sim of started) await agents.get(sim)?.close();
});

describe('seed data and representations', () => {
  let sim: Simulator;
  let token: string;
  beforeAll(async () => {
    sim = await start();
    token = (await login(sim)).access;
  });

  it('answers the documentation example exactly (v6 UsedRepositories of Contoso)', async () => {
    const reply = await call(sim, `/v6/Organizations/${SEED_ORGANIZATION_IDS.contoso}/usedRepositories`, { token });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(reply.text)));
    expect(reply.json).toEqual({
      offset: 0,
      limit: 30,
      _links: {
        self: { href: `/v6/Organizations/${SEED_ORGANIZATION_IDS.contoso}/usedRepositories?offset=0&limit=30` },
      },
      results: [
        {
          usedSpaceBytes: 0,
          localCacheUsedSpaceBytes: 3473408,
          objectStorageUsedSpaceBytes: 2499432773,
          isAvailable: true,
          details: '',
          _links: { backupRepository: { href: '/v6/backuprepositories/cfe34111-3331-45c0-babf-0be32e030444' } },
        },
        {
          usedSpaceBytes: 0,
          localCacheUsedSpaceBytes: 0,
          objectStorageUsedSpaceBytes: 2348310138,
          isAvailable: true,
          details: '',
          _links: { backupRepository: { href: '/v6/backuprepositories/880cb276-127e-4da1-96c1-0d97ecdecd4d' } },
        },
        {
          usedSpaceBytes: 9559506944,
          localCacheUsedSpaceBytes: 0,
          objectStorageUsedSpaceBytes: 0,
          isAvailable: true,
          details: '',
          _links: { backupRepository: { href: '/v6/backuprepositories/e412ad5a-a100-462b-8fca-85d7c6415f06' } },
        },
      ],
      setId: '00000000-0000-0000-0000-000000000000',
    });
  });

  it('adds repositoryId and protectedObjectsCount in v8 only', async () => {
    const v8 = (await call(sim, `/v8/Organizations/${SEED_ORGANIZATION_IDS.contoso}/usedRepositories`, { token }))
      .json as Page;
    expect(v8.results.map((r) => r['repositoryId'])).toEqual([
      SEED_REPOSITORY_IDS.contosoAzure,
      SEED_REPOSITORY_IDS.contosoS3,
      SEED_REPOSITORY_IDS.nordLocal,
    ]);
    expect(v8.results[0]).toHaveProperty('protectedObjectsCount', 120);
    const v7 = (await call(sim, `/v7/Organizations/${SEED_ORGANIZATION_IDS.contoso}/usedRepositories`, { token }))
      .json as Page;
    expect(v7.results[0]).not.toHaveProperty('repositoryId');
    expect(v7.results[0]).not.toHaveProperty('protectedObjectsCount');
  });

  it('serves the edge-case organizations: shared, null sizes, unavailable, empty', async () => {
    const results = async (id: string): Promise<Record<string, unknown>[]> =>
      ((await call(sim, `/v8/Organizations/${id}/usedRepositories`, { token })).json as Page).results;
    const fabrikam = await results(SEED_ORGANIZATION_IDS.fabrikam);
    expect(fabrikam.map((r) => r['repositoryId'])).toContain(SEED_REPOSITORY_IDS.nordLocal);
    expect(await results(SEED_ORGANIZATION_IDS.northwind)).toEqual([
      expect.objectContaining({
        usedSpaceBytes: null,
        localCacheUsedSpaceBytes: null,
        objectStorageUsedSpaceBytes: null,
      }),
    ]);
    const tailwind = await results(SEED_ORGANIZATION_IDS.tailwind);
    expect(tailwind.find((r) => r['repositoryId'] === SEED_REPOSITORY_IDS.tailwindOffline)).toMatchObject({
      isAvailable: false,
      details: SEED_OFFLINE_DETAILS,
    });
    expect(await results(SEED_ORGANIZATION_IDS.litware)).toEqual([]);
  });

  it('lists organizations as an array in v6/v7 and a page in v8, with version-specific fields', async () => {
    const v6 = (await call(sim, '/v6/Organizations?extendedView=false', { token })).json as Record<string, unknown>[];
    expect(v6.map((o) => o['id'])).toEqual(Object.values(SEED_ORGANIZATION_IDS));
    expect(v6[0]).toMatchObject({
      name: 'Contoso',
      officeName: 'contoso.onmicrosoft.com',
      type: 'Office365',
      region: 'Worldwide',
    });
    expect(v6[0]).not.toHaveProperty('description');
    expect(v6[0]).not.toHaveProperty('isBackedup');
    const v7 = (await call(sim, '/v7/Organizations?extendedView=false', { token })).json as Record<string, unknown>[];
    expect(v7[0]).toHaveProperty('description');
    expect(v7[0]).not.toHaveProperty('msid');
    const v8 = (await call(sim, '/v8/Organizations?extendedView=false', { token })).json as Page;
    expect(v8).toMatchObject({ offset: 0, limit: 30 });
    expect(v8.results[0]).toHaveProperty('msid');
    expect(v8.results[0]).toHaveProperty('backedUpOrganizationId');
    expect(v8._links.self.href).toBe('/v8/Organizations?offset=0&limit=30');
  });

  it('round-trips a repository name with quote, backslash and umlaut, and capacities', async () => {
    const reply = await call(sim, `/v7/BackupRepositories/${SEED_REPOSITORY_IDS.nordLocal}`, { token });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('Repo \\"Nord\\" \\\\ München');
    expect(reply.json).toMatchObject({ id: SEED_REPOSITORY_IDS.nordLocal, name: SEED_NORD_REPOSITORY_NAME });
    const list = (await call(sim, '/v6/BackupRepositories', { token })).json as Record<string, unknown>[];
    expect(list).toHaveLength(Object.keys(SEED_REPOSITORY_IDS).length);
    const s3 = list.find((r) => r['id'] === SEED_REPOSITORY_IDS.contosoS3);
    expect(s3).toMatchObject({ capacityBytes: null, freeSpaceBytes: null });
    const v8 = (await call(sim, '/v8/BackupRepositories', { token })).json as Page;
    expect(v8.results).toHaveLength(list.length);
  });

  it('answers 404 for unknown organizations, repositories and paths (errorCode only where the schema allows)', async () => {
    const unknown = '11111111-2222-4333-8444-555555555555';
    const v6 = await call(sim, `/v6/Organizations/${unknown}/usedRepositories`, { token });
    expect(v6.status).toBe(404);
    expect(v6.json).toEqual({ message: expect.stringContaining(unknown) as unknown });
    const v8 = await call(sim, `/v8/Organizations/${unknown}/usedRepositories`, { token });
    expect(v8.json).toMatchObject({ errorCode: 'ResourceNotFound' });
    expect((await call(sim, `/v8/BackupRepositories/${unknown}`, { token })).status).toBe(404);
    expect((await call(sim, '/v6/Nothing', { token })).status).toBe(404);
    expect((await call(sim, '/v5/ServiceInstance', { token })).status).toBe(404);
    expect((await call(sim, '/v6/token/logout', { method: 'POST', token })).status).toBe(404);
  });

  it('matches paths case-insensitively', async () => {
    const id = SEED_ORGANIZATION_IDS.contoso;
    for (const path of [
      `/v6/Organizations/${id}/usedRepositories`,
      `/V6/organizations/${id}/UsedRepositories`,
      `/v6/ORGANIZATIONS/${id.toUpperCase()}/usedrepositories?OFFSET=0&Limit=1`,
    ]) {
      const reply = await call(sim, path, { token });
      expect(reply.status, path).toBe(200);
    }
    expect((await call(sim, '/v8/backuprepositories', { token })).status).toBe(200);
    expect(
      (await grant(sim, { grant_type: 'password', username: 'admin', password: 'vb365-simulator' }, 'V7' as ApiVersion))
        .status,
    ).toBe(200);
  });

  it('rejects invalid paging parameters with 400', async () => {
    const path = `/v8/Organizations/${SEED_ORGANIZATION_IDS.contoso}/usedRepositories`;
    expect((await call(sim, `${path}?limit=0`, { token })).status).toBe(400);
    expect((await call(sim, `${path}?offset=-1`, { token })).status).toBe(400);
    expect((await call(sim, `${path}?limit=abc`, { token })).status).toBe(400);
  });

  it('reflects changes to the data model in the next answer', async () => {
    const usage = sim.data.getUsedRepository(SEED_ORGANIZATION_IDS.tailwind, SEED_REPOSITORY_IDS.tailwindLocal);
    expect(usage).toBeDefined();
    if (usage) usage.usedSpaceBytes = 42;
    const added = sim.data.addOrganization({ id: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', name: 'Added Later' });
    sim.data.addUsedRepository(added.id, { repositoryId: SEED_REPOSITORY_IDS.fabrikamLocal, usedSpaceBytes: 7 });
    const tailwind = (
      await call(sim, `/v8/Organizations/${SEED_ORGANIZATION_IDS.tailwind}/usedRepositories`, { token })
    ).json as Page;
    expect(tailwind.results[0]).toMatchObject({ usedSpaceBytes: 42 });
    const addedPage = (await call(sim, `/v8/organizations/${added.id}/usedrepositories`, { token })).json as Page;
    expect(addedPage.results).toEqual([expect.objectContaining({ usedSpaceBytes: 7, localCacheUsedSpaceBytes: 0 })]);
    expect(sim.data.removeOrganization(added.id)).toBe(true);
    expect((await call(sim, `/v8/Organizations/${added.id}/usedRepositories`, { token })).status).toBe(404);
  });

  it('answers ServiceInstance 401 without credentials and the build with them', async () => {
    expect((await call(sim, '/v7/ServiceInstance')).status).toBe(401);
    const reply = await call(sim, '/v8/ServiceInstance', { token });
    expect(reply.json).toMatchObject({ version: expect.stringMatching(/^8\./) as unknown });
  });
});

describe('paging', () => {
  it('returns every item through next links when pageSize is 2', async () => {
    const sim = await start({ pageSize: 2, organizationCount: 3 });
    const { access } = await login(sim);
    for (const version of ['v6', 'v7', 'v8'] as const) {
      const pages = await allPages(
        sim,
        `/${version}/Organizations/${SEED_ORGANIZATION_IDS.contoso}/usedRepositories?limit=30`,
        access,
      );
      expect(pages.map((p) => p.results.length)).toEqual([2, 1]);
      expect(pages[0]?._links.next?.href).toBe(
        `/${version}/Organizations/${SEED_ORGANIZATION_IDS.contoso}/usedRepositories?offset=2&limit=30`,
      );
      expect(pages[1]?._links.next).toBeUndefined();
    }
    const organizations = await allPages(sim, '/v8/Organizations?extendedView=false&limit=10000', access);
    expect(organizations).toHaveLength(4); // 5 seed + 3 generated, two per page
    expect(new Set(organizations.flatMap((p) => p.results.map((o) => o['id']))).size).toBe(8);
    const repositories = await allPages(sim, '/v8/BackupRepositories', access);
    expect(repositories.flatMap((p) => p.results)).toHaveLength(7 + 3 * 2);
  });

  it('honours offset and limit below the page size', async () => {
    const sim = await start();
    const { access } = await login(sim);
    const pages = await allPages(
      sim,
      `/v7/Organizations/${SEED_ORGANIZATION_IDS.contoso}/usedRepositories?offset=1&limit=1`,
      access,
    );
    expect(pages.map((p) => [p.offset, p.limit, p.results.length])).toEqual([
      [1, 1, 1],
      [2, 1, 1],
    ]);
  });

  it('generates deterministic organizations with valid UUIDs', async () => {
    const a = await start({ organizationCount: 3, repositoriesPerOrganization: 3, seed: false, tls: false });
    const b = await start({ organizationCount: 3, repositoriesPerOrganization: 3, seed: false, tls: false });
    const ids = [...a.data.organizations.keys()];
    expect(ids).toEqual([...b.data.organizations.keys()]);
    expect(ids).toHaveLength(3);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const id of [...ids, ...a.data.backupRepositories.keys()]) expect(id).toMatch(uuid);
    expect(a.data.backupRepositories.size).toBe(9);
    expect([...a.data.organizations.values()].map((o) => o.usedRepositories)).toEqual(
      [...b.data.organizations.values()].map((o) => o.usedRepositories),
    );
    const more = a.data.generateOrganizations(1, 1);
    expect(ids).not.toContain(more[0]?.id);
    expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { access } = await login(a);
    expect((await call(a, '/v6/Organizations', { token: access })).json).toHaveLength(4);
  });
});

describe('tokens', () => {
  it('issues tokens in the documented shape and rejects a wrong password with 400', async () => {
    const sim = await start();
    const ok = await grant(
      sim,
      { grant_type: 'password', username: 'admin', password: 'vb365-simulator', disable_antiforgery_token: 'true' },
      'v8',
    );
    expect(ok.json).toMatchObject({ token_type: 'bearer', expires_in: 3600, userName: 'admin' });
    const body = ok.json as Record<string, string>;
    expect(Date.parse(body['.expires'] ?? '') - Date.parse(body['.issued'] ?? '')).toBe(3600_000);
    const bad = await grant(sim, { grant_type: 'password', username: 'admin', password: 'wrong' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'invalid_grant' });
    expect((await grant(sim, { grant_type: 'client_credentials' })).status).toBe(400);
    expect(sim.stats.tokenGrants).toEqual({ password: 1, refresh_token: 0, failed: 2 });
    expect((await call(sim, '/v6/Organizations')).status).toBe(401);
    expect((await call(sim, '/v6/Organizations', { token: 'made-up' })).status).toBe(401);
  });

  it('expires access tokens after tokenLifetimeSeconds and refreshes them once per refresh token', async () => {
    const sim = await start({ tokenLifetimeSeconds: 1 });
    const { access, refresh } = await login(sim);
    expect((await call(sim, '/v6/ServiceInstance', { token: access })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call(sim, '/v6/ServiceInstance', { token: access })).status).toBe(401);
    const refreshed = await grant(sim, { grant_type: 'refresh_token', refresh_token: refresh });
    expect(refreshed.status).toBe(200);
    const fresh = (refreshed.json as { access_token: string }).access_token;
    expect((await call(sim, '/v6/ServiceInstance', { token: fresh })).status).toBe(200);
    expect((await grant(sim, { grant_type: 'refresh_token', refresh_token: refresh })).status).toBe(400);
    expect(sim.stats.tokenGrants).toEqual({ password: 1, refresh_token: 1, failed: 1 });
  });

  it('invalidates every access and refresh token on revokeAllTokens', async () => {
    const sim = await start();
    const first = await login(sim);
    const second = await login(sim, 'v8');
    sim.revokeAllTokens();
    expect((await call(sim, '/v6/BackupRepositories', { token: first.access })).status).toBe(401);
    expect((await call(sim, '/v8/BackupRepositories', { token: second.access })).status).toBe(401);
    expect((await grant(sim, { grant_type: 'refresh_token', refresh_token: second.refresh })).status).toBe(400);
    expect((await login(sim)).access).not.toBe(first.access);
  });

  it('logs out with 200 in v7 and 204 in v8, invalidating the token', async () => {
    const sim = await start();
    const v7 = await login(sim, 'v7');
    const v8 = await login(sim, 'v8');
    expect((await call(sim, '/v7/token/logout', { method: 'POST', token: v7.access })).status).toBe(200);
    expect((await call(sim, '/v8/Token/Logout', { method: 'POST', token: v8.access })).status).toBe(204);
    expect((await call(sim, '/v7/ServiceInstance', { token: v7.access })).status).toBe(401);
    expect((await grant(sim, { grant_type: 'refresh_token', refresh_token: v8.refresh })).status).toBe(400);
    expect(sim.stats.byRoute.logout).toBe(2);
  });
});

describe('faults', () => {
  let sim: Simulator;
  let token: string;
  const contosoPath = `/v6/Organizations/${SEED_ORGANIZATION_IDS.contoso}/usedRepositories`;
  beforeAll(async () => {
    sim = await start();
    token = (await login(sim)).access;
  });
  afterEach(() => sim.clearFaults());

  it('answers a status with Retry-After for `times` requests, then normally', async () => {
    sim.addFault({ route: 'used_repositories', status: 503, retryAfter: '7', times: 2 });
    for (let i = 0; i < 2; i++) {
      const reply = await call(sim, contosoPath, { token });
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('7');
      expect(reply.json).toEqual({ message: 'Service Unavailable' });
    }
    expect((await call(sim, contosoPath, { token })).status).toBe(200);
  });

  it('limits a rule to one organization and lets the first matching rule win', async () => {
    sim.addFault({
      route: 'used_repositories',
      organizationId: SEED_ORGANIZATION_IDS.fabrikam.toUpperCase(),
      status: 500,
    });
    sim.addFault({ route: '*', status: 429 });
    expect(
      (await call(sim, `/v6/Organizations/${SEED_ORGANIZATION_IDS.fabrikam}/usedRepositories`, { token })).status,
    ).toBe(500);
    expect((await call(sim, contosoPath, { token })).status).toBe(429);
    expect((await call(sim, '/v6/BackupRepositories', { token })).status).toBe(429);
  });

  it('answers 200 with exactly the given raw body', async () => {
    sim.addFault({ route: 'organizations', body: '{"results": [', times: 1 });
    const reply = await call(sim, '/v6/Organizations', { token });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('{"results": [');
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('cuts the connection mid-body on resetMidBody', async () => {
    sim.addFault({ route: 'used_repositories', resetMidBody: true, times: 1 });
    await expect(call(sim, contosoPath, { token })).rejects.toThrow();
    expect((await call(sim, contosoPath, { token })).status).toBe(200);
  });

  it('trickles the normal body at the given rate', async () => {
    const normal = await call(sim, contosoPath, { token });
    const bytesPerSecond = 4000;
    sim.addFault({ route: 'used_repositories', trickleBytesPerSecond: bytesPerSecond, times: 1 });
    const startedAt = performance.now();
    const slow = await call(sim, contosoPath, { token });
    const elapsed = performance.now() - startedAt;
    expect(slow.text).toBe(normal.text);
    const expectedMs = (normal.text.length / bytesPerSecond) * 1000;
    expect(elapsed).toBeGreaterThan(expectedMs * 0.7);
    expect(elapsed).toBeLessThan(expectedMs * 3 + 500);
  });

  it('hangs a request until close(), which ends it without waiting', async () => {
    const hanging = await start();
    const { access } = await login(hanging);
    hanging.addFault({ route: 'used_repositories', hang: true });
    const pending = call(hanging, contosoPath, { token: access });
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hanging.stats.inFlight).toBe(1);
    const closingAt = performance.now();
    await hanging.close();
    expect(await outcome).toBe('failed');
    expect(performance.now() - closingAt).toBeLessThan(1000);
    expect(hanging.stats.inFlight).toBe(0);
  });
});

describe('stats and options', () => {
  it('counts concurrent requests, routes and TLS connections', async () => {
    const sim = await start({ latencyMs: 100 });
    const { access } = await login(sim);
    const parallel = 6;
    const agent = newAgent(sim); // fresh agent: every parallel request opens its own connection
    const burst = (): Promise<Reply[]> =>
      Promise.all(
        Array.from({ length: parallel }, () => call(sim, '/v8/BackupRepositories', { token: access, agent })),
      );

    sim.resetStats();
    const first = await burst();
    expect(first.every((r) => r.status === 200)).toBe(true);
    expect(sim.stats.connections).toBe(parallel);
    expect(sim.stats.requests).toBe(parallel);
    expect(sim.stats.byRoute.backup_repositories).toBe(parallel);
    expect(sim.stats.byRoute.token).toBe(0);

    // Second burst mostly on warm keep-alive connections, so all requests overlap within the latency.
    sim.resetStats();
    const startedAt = performance.now();
    await burst();
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(95);
    expect(sim.stats.maxInFlight).toBe(parallel);
    // The server may see the end of a response just after the client has read it.
    await vi.waitFor(() => expect(sim.stats.inFlight).toBe(0));
    await agent.close();
    sim.resetStats();
    expect(sim.stats).toMatchObject({ requests: 0, maxInFlight: 0, connections: 0 });
  });

  it('answers 404 on every path of a version it does not serve', async () => {
    const sim = await start({ versions: ['v8'], tls: false });
    expect((await call(sim, '/v6/ServiceInstance')).status).toBe(404);
    expect(
      (
        await call(sim, '/v7/token', {
          form: { grant_type: 'password', username: 'admin', password: 'vb365-simulator' },
        })
      ).status,
    ).toBe(404);
    expect((await call(sim, '/v8/ServiceInstance')).status).toBe(401);
    expect((await login(sim, 'v8')).access).not.toBe('');
    expect(sim.stats.byRoute.unknown).toBe(2);
  });

  it('uses custom credentials', async () => {
    const sim = await start({ username: 'svc-exporter', password: 'p@ss w0rd&=' });
    expect(sim.username).toBe('svc-exporter');
    expect((await grant(sim, { grant_type: 'password', username: 'admin', password: 'vb365-simulator' })).status).toBe(
      400,
    );
    expect((await login(sim)).access.length).toBeGreaterThan(20);
  });
});
