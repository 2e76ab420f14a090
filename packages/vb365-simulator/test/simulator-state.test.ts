// The switches for the server state an exporter reads besides storage usage: served API versions
// changed while running, the build ServiceInstance reports, repository state flags, object storage size
// limits, licence figures, health entries, forced listing shapes, absent fields and the demo state.
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_SIZE_LIMIT_GB,
  SEED_ORGANIZATION_IDS,
  SEED_REPOSITORY_IDS,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../src/index.js';

interface Target {
  simulator: Simulator;
  agent: Agent;
}
const started: Target[] = [];
afterEach(async () => {
  for (const { simulator, agent } of started.splice(0)) {
    await agent.close();
    await simulator.close();
  }
});

async function start(options: SimulatorOptions = {}): Promise<Target> {
  const simulator = await startSimulator(options);
  const target = { simulator, agent: new Agent({ connect: { ca: simulator.ca ?? '' } }) };
  started.push(target);
  return target;
}

async function get(target: Target, path: string, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await request(`${target.simulator.url}${path}`, {
    dispatcher: target.agent,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function login(target: Target, version = 'v8'): Promise<string> {
  const response = await request(`${target.simulator.url}/${version}/token`, {
    method: 'POST',
    dispatcher: target.agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: target.simulator.username,
      password: target.simulator.password,
    }).toString(),
  });
  const body = (await response.body.json()) as { access_token: string };
  return body.access_token;
}

const GiB = 1024 ** 3;
const repo = SEED_REPOSITORY_IDS;

describe('served API versions', () => {
  it('changes while running: an upgrade to v8 and a downgrade back to v6/v7', async () => {
    const target = await start({ versions: ['v6', 'v7'] });
    expect(target.simulator.versions).toEqual(['v6', 'v7']);
    expect((await get(target, '/v8/ServiceInstance')).status).toBe(404);
    expect((await get(target, '/v7/ServiceInstance')).status).toBe(401);

    target.simulator.setVersions(['v8', 'v6', 'v7']);
    expect(target.simulator.versions).toEqual(['v6', 'v7', 'v8']);
    const token = await login(target, 'v8');
    expect(await get(target, '/v8/ServiceInstance', token)).toMatchObject({ status: 200 });
    expect((await get(target, '/v8/Health')).status).toBe(200);

    target.simulator.setVersions(['v6']);
    expect((await get(target, '/v8/ServiceInstance', token)).status).toBe(404);
    expect((await get(target, '/v8/Health')).status).toBe(404);
    expect((await get(target, '/v7/ServiceInstance', token)).status).toBe(404);
    // Tokens are not per version: the one issued by v8 still works on v6.
    expect((await get(target, '/v6/ServiceInstance', token)).status).toBe(200);
    expect(() => target.simulator.setVersions(['v9' as 'v8'])).toThrow(/v9/);
  });

  it('reports a build per API version by default, or one build everywhere', async () => {
    const target = await start({ productVersion: '8.0.2.159' });
    const token = await login(target);
    for (const version of ['v6', 'v7', 'v8']) {
      expect((await get(target, `/${version}/ServiceInstance`, token)).body).toMatchObject({ version: '8.0.2.159' });
    }
    // Per version: an upgrade that only v8 reports, the others keep their default.
    target.simulator.setProductVersion({ v8: '8.1.0.331' });
    expect((await get(target, '/v8/ServiceInstance', token)).body).toMatchObject({ version: '8.1.0.331' });
    expect((await get(target, '/v7/ServiceInstance', token)).body).toMatchObject({ version: '7.1.0.2031' });
    target.simulator.setProductVersion(undefined);
    expect((await get(target, '/v6/ServiceInstance', token)).body).toMatchObject({ version: '6.1.0.222' });
    expect((await get(target, '/v8/ServiceInstance', token)).body).toMatchObject({ version: '8.1.0.305' });
  });
});

describe('repository state and object storage', () => {
  it('answers the state flags set with setRepositoryState (isOutOfSync in every version, the rest in v8)', async () => {
    const target = await start();
    const token = await login(target);
    const path = (v: string): string => `/${v}/BackupRepositories/${repo.nordLocal}`;
    expect((await get(target, path('v8'), token)).body).toMatchObject({
      isOutOfSync: false,
      isOutdated: false,
      isOutOfOrder: false,
      outOfOrderReason: null,
    });
    target.simulator.data.setRepositoryState(repo.nordLocal.toUpperCase(), {
      isOutOfSync: true,
      isOutdated: true,
      isOutOfOrder: true,
      outOfOrderReason: 'invalid state',
    });
    expect((await get(target, path('v8'), token)).body).toMatchObject({
      isOutOfSync: true,
      isOutdated: true,
      isOutOfOrder: true,
      outOfOrderReason: 'invalid state',
    });
    const v7 = (await get(target, path('v7'), token)).body as Record<string, unknown>;
    expect(v7['isOutOfSync']).toBe(true);
    expect(v7).not.toHaveProperty('isOutOfOrder');
    expect(() => target.simulator.data.setRepositoryState('no-such-repository', { isOutdated: true })).toThrow();
  });

  it('embeds the size limit in v8 and serves it from /objectstoragerepositories in v6/v7', async () => {
    const target = await start();
    const token = await login(target);
    const v8Path = `/v8/BackupRepositories/${repo.contosoAzure}`;
    // No limit: v8 reports neither the limit nor free space.
    const before = (await get(target, v8Path, token)).body as { objectStorage: Record<string, unknown> };
    expect(before.objectStorage).toMatchObject({ sizeLimitEnabled: false });
    expect(before.objectStorage).not.toHaveProperty('freeSpaceBytes');

    target.simulator.data.setObjectStorage(repo.contosoAzure, { sizeLimitEnabled: true, sizeLimitGB: 10 });
    const used = 2499432773;
    const expected = { sizeLimitEnabled: true, sizeLimitGB: 10, usedSpaceBytes: used, freeSpaceBytes: 10 * GiB - used };
    expect(((await get(target, v8Path, token)).body as { objectStorage: unknown }).objectStorage).toMatchObject(
      expected,
    );
    const v6 = (await get(target, `/v6/BackupRepositories/${repo.contosoAzure}`, token)).body as {
      objectStorageId: string;
    };
    expect((await get(target, `/v6/objectstoragerepositories/${v6.objectStorageId}`, token)).body).toMatchObject({
      ...expected,
      name: 'contoso-blob',
    });
    // An explicit free space (null: not reported) wins over the derived one.
    target.simulator.data.setObjectStorage(repo.contosoAzure, { freeSpaceBytes: null });
    expect((await get(target, `/v7/objectstoragerepositories/${v6.objectStorageId}`, token)).body).toMatchObject({
      freeSpaceBytes: null,
      sizeLimitGB: 10,
    });
    // A local repository has no object storage to change without its id, name and type.
    expect(() => target.simulator.data.setObjectStorage(repo.nordLocal, { sizeLimitGB: 1 })).toThrow(
      /no object storage/,
    );
  });

  it('answers v6 Wasabi object storage as S3 compatible, the only type v6 knows for it', async () => {
    const target = await start();
    const token = await login(target, 'v6');
    const list = (await get(target, '/v6/objectstoragerepositories', token)).body as { name: string; type: string }[];
    expect(list.find((s) => s.name === 'northwind-wasabi')?.type).toBe('AmazonS3Compatible');
    const v7 = (await get(target, '/v7/objectstoragerepositories', token)).body as { name: string; type: string }[];
    expect(v7.find((s) => s.name === 'northwind-wasabi')?.type).toBe('WasabiCloud');
  });

  it('lists the organizations stored in a repository with their byte counts (backedupOrganizations)', async () => {
    const target = await start();
    const token = await login(target);
    // v7 keys the items by the organization ID (v8 by the backed-up organization ID: simulator-jobs.test.ts).
    const page = (await get(target, `/v7/backuprepositories/${repo.nordLocal}/BackedUpOrganizations`, token)).body as {
      results: unknown[];
    };
    expect(page.results).toEqual([
      {
        id: SEED_ORGANIZATION_IDS.contoso,
        name: 'Contoso',
        usedSpaceBytes: 9559506944,
        localCacheUsedSpaceBytes: 0,
        objectStorageUsedSpaceBytes: 0,
      },
      {
        id: SEED_ORGANIZATION_IDS.fabrikam,
        name: 'Fabrikam',
        usedSpaceBytes: 1234567890,
        localCacheUsedSpaceBytes: 0,
        objectStorageUsedSpaceBytes: 0,
      },
    ]);
  });
});

describe('licence and health', () => {
  it('answers the licence figures set with setLicense, named per version', async () => {
    const target = await start();
    const token = await login(target);
    target.simulator.data.setLicense({
      totalNumber: 100,
      usedNumber: 100,
      newNumber: 3,
      licenseExpires: '2027-01-31T00:00:00Z',
      gracePeriodExpires: '2027-03-02T00:00:00Z',
      status: 'Valid',
      type: 'Rental',
    });
    const figures = { totalNumber: 100, usedNumber: 100, newNumber: 3, status: 'Valid', type: 'Rental' };
    expect((await get(target, '/v8/license', token)).body).toMatchObject({
      ...figures,
      licenseExpires: '2027-01-31T00:00:00Z',
      gracePeriodExpires: '2027-03-02T00:00:00Z',
    });
    const v6 = (await get(target, '/v6/License', token)).body as Record<string, unknown>;
    expect(v6).toMatchObject({ ...figures, expirationDate: '2027-01-31T00:00:00Z' });
    expect(v6).not.toHaveProperty('gracePeriodExpires');
    expect((await get(target, '/v7/License')).status).toBe(401);
  });

  it('defaults to a valid licence a year ahead of the start', async () => {
    const target = await start();
    const token = await login(target);
    const license = (await get(target, '/v7/License', token)).body as { licenseExpires: string; status: string };
    const days = (Date.parse(license.licenseExpires) - Date.now()) / (24 * 3600 * 1000);
    expect(days).toBeGreaterThan(360);
    expect(license.status).toBe('Valid');
  });

  it('derives the overall health from its entries', async () => {
    const target = await start();
    expect(await get(target, '/v8/health')).toMatchObject({ status: 200, body: { status: 'Healthy' } });
    target.simulator.data.setHealthEntry('NatsServer', 'Unhealthy', 'NATS server is not reachable');
    expect(await get(target, '/v8/Health')).toEqual({
      status: 503,
      body: {
        status: 'Unhealthy',
        entries: {
          ConfigurationDatabase: { status: 'Healthy', description: 'PostgreSQL configuration database is reachable' },
          NatsServer: { status: 'Unhealthy', description: 'NATS server is not reachable' },
        },
      },
    });
    target.simulator.data.setHealthEntry('NatsServer', 'Healthy');
    expect((await get(target, '/v8/Health')).status).toBe(200);
  });

  it('answers per-organization licensing information', async () => {
    const target = await start();
    const token = await login(target);
    target.simulator.data.addOrganization({
      id: SEED_ORGANIZATION_IDS.litware,
      name: 'Litware',
      licensing: { licensedUsers: 42 },
    });
    expect(
      (await get(target, `/v8/Organizations/${SEED_ORGANIZATION_IDS.litware}/licensingInformation`, token)).body,
    ).toEqual({
      licensedUsers: 42,
      newUsers: 0,
    });
  });
});

describe('listing shapes and absent fields', () => {
  it('forces every listing into one shape with route "*", and back', async () => {
    const target = await start({ listingShapes: { used_repositories: 'array' } });
    const token = await login(target);
    const used = `/v6/Organizations/${SEED_ORGANIZATION_IDS.contoso}/UsedRepositories`;
    expect(Array.isArray((await get(target, used, token)).body)).toBe(true);
    target.simulator.setListingShape('*', 'page');
    expect((await get(target, '/v6/Organizations', token)).body).toMatchObject({ offset: 0, limit: 30 });
    expect((await get(target, used, token)).body).toMatchObject({ offset: 0 });
    target.simulator.setListingShape('*', undefined);
    expect(Array.isArray((await get(target, '/v6/Organizations', token)).body)).toBe(true);
    expect((await get(target, '/v8/Organizations', token)).body).toMatchObject({ offset: 0 });
  });

  it('leaves fields out until told to report them again', async () => {
    const target = await start();
    const token = await login(target);
    const path = `/v8/Organizations/${SEED_ORGANIZATION_IDS.contoso}/UsedRepositories`;
    target.simulator.setAbsentFields('used_repositories', ['protectedObjectsCount']);
    const page = (await get(target, path, token)).body as { results: object[]; offset: number };
    expect(page.results).toHaveLength(3);
    for (const item of page.results) expect(item).not.toHaveProperty('protectedObjectsCount');
    target.simulator.setAbsentFields('used_repositories', []);
    const again = (await get(target, path, token)).body as { results: object[] };
    expect(again.results[0]).toHaveProperty('protectedObjectsCount', 120);
  });
});

describe('demo state', () => {
  it('adds the demo problems on top of the seed data, and nothing without demo', async () => {
    const plain = await start();
    const demo = await start({ demo: true });
    const state = (t: Target, id: string) => t.simulator.data.getBackupRepository(id);
    expect(state(plain, repo.contosoS3)?.isOutOfSync).toBe(false);
    expect(state(demo, repo.contosoS3)?.isOutOfSync).toBe(true);
    expect(state(demo, repo.fabrikamLocal)?.isOutdated).toBe(true);
    expect(state(demo, repo.tailwindOffline)).toMatchObject({ isOutOfOrder: true, outOfOrderReason: 'invalid state' });
    const storage = state(demo, repo.contosoAzure)?.objectStorage;
    expect(storage).toMatchObject({ sizeLimitEnabled: true, sizeLimitGB: DEMO_SIZE_LIMIT_GB });
    const usedFraction = (storage?.usedSpaceBytes ?? 0) / (DEMO_SIZE_LIMIT_GB * GiB);
    expect(usedFraction).toBeGreaterThan(0.9);
    expect(usedFraction).toBeLessThan(1);
    const daysLeft = (Date.parse(demo.simulator.data.license.licenseExpires ?? '') - Date.now()) / (24 * 3600 * 1000);
    expect(daysLeft).toBeGreaterThan(7);
    expect(daysLeft).toBeLessThan(30);
    await expect(startSimulator({ demo: true, seed: false })).rejects.toThrow(/seed/);
  });
});

describe('control endpoints (opt-in)', () => {
  async function send(target: Target, method: string, path: string, body?: string) {
    const response = await request(`${target.simulator.url}${path}`, {
      method: method as 'GET',
      dispatcher: target.agent,
      body: body ?? null,
    });
    return { status: response.statusCode, body: await response.body.json() };
  }

  it('changes the served versions and the build over HTTP', async () => {
    const target = await start({ control: true, versions: ['v6', 'v7'] });
    expect(await send(target, 'GET', '/_simulator/versions')).toEqual({
      status: 200,
      body: { versions: ['v6', 'v7'] },
    });
    expect(await send(target, 'PUT', '/_simulator/versions', 'v6, v7, v8')).toEqual({
      status: 200,
      body: { versions: ['v6', 'v7', 'v8'] },
    });
    await send(target, 'PUT', '/_simulator/product-version', '8.0.2.159');
    const token = await login(target, 'v8');
    expect((await get(target, '/v8/ServiceInstance', token)).body).toMatchObject({ version: '8.0.2.159' });
    expect((await send(target, 'PUT', '/_simulator/versions', 'v6,v9')).status).toBe(400);
    expect(target.simulator.versions).toEqual(['v6', 'v7', 'v8']);
  });

  it('is not there without control: true', async () => {
    const target = await start();
    expect((await get(target, '/_simulator/versions')).status).toBe(404);
    expect(target.simulator.stats.byRoute.unknown).toBe(1);
  });
});
