// The job, proxy and backup-state data of the seed on a fixed clock, the switches around them (the
// extended view failing, a backedupOrganizations value disagreeing with UsedRepositories), the v8
// backed-up organization ID mapping, and the generator options for the benchmark.
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EXTENDED_VIEW_FAILURE_MESSAGE,
  SEED_BACKED_UP_ORGANIZATION_IDS,
  SEED_COPY_JOB_IDS,
  SEED_HOSTILE_JOB_NAME,
  SEED_JOB_IDS,
  SEED_ORGANIZATION_IDS,
  SEED_PROXY_IDS,
  SEED_REPOSITORY_IDS,
  startSimulator,
  type ApiVersion,
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

/** The simulator's fixed "now" in these tests. */
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const HOUR = 3600 * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

async function start(options: SimulatorOptions = {}): Promise<Target> {
  const simulator = await startSimulator({ clock: { now: () => NOW }, ...options });
  const target = { simulator, agent: new Agent({ connect: { ca: simulator.ca ?? '' } }) };
  started.push(target);
  return target;
}

async function send(
  target: Target,
  path: string,
  options: { token?: string; method?: string; body?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const response = await request(`${target.simulator.url}${path}`, {
    method: (options.method ?? 'GET') as 'GET',
    dispatcher: target.agent,
    headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
    body: options.body ?? null,
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function login(target: Target): Promise<string> {
  const response = await request(`${target.simulator.url}/v8/token`, {
    method: 'POST',
    dispatcher: target.agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: target.simulator.username,
      password: target.simulator.password,
    }).toString(),
  });
  return ((await response.body.json()) as { access_token: string }).access_token;
}

type Item = Record<string, unknown>;

/** Every item of a listing: a plain array, or all pages following next links. */
async function all(target: Target, path: string, token: string): Promise<Item[]> {
  const items: Item[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const reply = await send(target, next, { token });
    expect(reply.status, next).toBe(200);
    if (Array.isArray(reply.body)) return reply.body as Item[];
    const page = reply.body as { results: Item[]; _links: { next?: { href: string } } };
    items.push(...page.results);
    next = page._links.next?.href;
  }
  return items;
}

const byId = (items: Item[]): Map<string, Item> => new Map(items.map((item) => [String(item['id']), item]));
const VERSIONS: readonly ApiVersion[] = ['v6', 'v7', 'v8'];

describe('seed jobs, proxies and backup times on an injected clock', () => {
  it('has a succeeded, a running, a failed, a warning, an overdue and a disabled job, and a copy job', async () => {
    const target = await start();
    const token = await login(target);
    const jobs = byId(await all(target, '/v8/Jobs', token));
    const job = SEED_JOB_IDS;
    expect(jobs.get(job.contosoDaily)).toMatchObject({
      lastStatus: 'Success',
      isEnabled: true,
      lastRun: iso(NOW - 3 * HOUR),
      nextRun: iso(NOW + 21 * HOUR),
      lastBackup: iso(NOW - 3 * HOUR),
      organizationId: SEED_ORGANIZATION_IDS.contoso,
    });
    expect(jobs.get(job.contosoRunning)).toMatchObject({ lastStatus: 'Running', lastRun: iso(NOW - HOUR / 6) });
    expect(jobs.get(job.fabrikamFailed)).toMatchObject({ lastStatus: 'Failed', lastBackup: iso(NOW - 27 * HOUR) });
    expect(jobs.get(job.northwindWarning)).toMatchObject({ lastStatus: 'Warning' });
    expect(jobs.get(job.tailwindDisabled)).toMatchObject({ isEnabled: false, nextRun: null });
    // Overdue: enabled, not running, its next run more than an hour in the past.
    const overdue = jobs.get(job.tailwindOverdue) ?? {};
    expect(overdue).toMatchObject({ isEnabled: true, lastStatus: 'Success' });
    expect(NOW - Date.parse(String(overdue['nextRun']))).toBeGreaterThan(HOUR);
    const others = [...jobs.values()].filter((j) => j['id'] !== job.tailwindOverdue && j['nextRun'] !== null);
    for (const other of others) expect(Date.parse(String(other['nextRun']))).toBeGreaterThan(NOW);

    const copyJobs = await all(target, '/v8/CopyJobs', token);
    expect(copyJobs).toEqual([
      expect.objectContaining({
        id: SEED_COPY_JOB_IDS.contosoArchive,
        backupJobId: job.contosoDaily,
        repositoryId: SEED_REPOSITORY_IDS.contosoS3,
        lastStatus: 'Success',
      }),
    ]);
  });

  it('answers the hostile job name exactly, in every version', async () => {
    const target = await start();
    const token = await login(target);
    expect(SEED_HOSTILE_JOB_NAME).toMatch(/"/);
    expect(SEED_HOSTILE_JOB_NAME).toMatch(/\\/);
    expect(SEED_HOSTILE_JOB_NAME).toMatch(/\n/);
    expect(SEED_HOSTILE_JOB_NAME).toMatch(/<script>/);
    for (const version of VERSIONS) {
      const reply = await send(target, `/${version}/Jobs/${SEED_JOB_IDS.northwindHostile}`, { token });
      expect(reply.body).toMatchObject({ name: SEED_HOSTILE_JOB_NAME });
    }
  });

  it('has an organization never backed up and one last backed up 27 hours before the start', async () => {
    const target = await start();
    const token = await login(target);
    for (const version of VERSIONS) {
      const organizations = byId(await all(target, `/${version}/Organizations?extendedView=true`, token));
      expect(organizations.get(SEED_ORGANIZATION_IDS.litware)).toMatchObject({
        isBackedup: false,
        firstBackuptime: null,
        lastBackuptime: null,
      });
      expect(organizations.get(SEED_ORGANIZATION_IDS.fabrikam)).toMatchObject({
        isBackedup: true,
        lastBackuptime: iso(NOW - 27 * HOUR),
      });
      // Every other backed-up organization is fresh.
      for (const id of [
        SEED_ORGANIZATION_IDS.contoso,
        SEED_ORGANIZATION_IDS.northwind,
        SEED_ORGANIZATION_IDS.tailwind,
      ]) {
        expect(NOW - Date.parse(String(organizations.get(id)?.['lastBackuptime']))).toBeLessThanOrEqual(4 * HOUR);
      }
    }
  });

  it('has a proxy offline and one in maintenance (v8 only), the others online', async () => {
    const target = await start();
    const token = await login(target);
    const v8 = byId(await all(target, '/v8/Proxies', token));
    expect(v8.get(SEED_PROXY_IDS.branchOffice)).toMatchObject({ status: 'Offline', cpuUsagePercent: null });
    expect(v8.get(SEED_PROXY_IDS.maintenance)).toMatchObject({ status: 'Online', maintenanceModeState: 'Enabled' });
    for (const id of [SEED_PROXY_IDS.local, SEED_PROXY_IDS.linux]) {
      expect(v8.get(id)).toMatchObject({ status: 'Online', maintenanceModeState: 'Disabled', version: '8.1.0.305' });
      expect(v8.get(id)?.['cpuUsagePercent']).toEqual(expect.any(Number));
      expect(v8.get(id)?.['memoryUsagePercent']).toEqual(expect.any(Number));
    }
    const v7 = await all(target, '/v7/Proxies?extendedView=true', token);
    expect(v7.map((p) => p['status'])).toEqual(['Online', 'Offline', 'Online', 'Online']);
    // The extended view's extra fields come from the proxy itself: an offline one has none.
    expect(byId(v7).get(SEED_PROXY_IDS.local)).toHaveProperty('threadsNumber');
    expect(byId(v7).get(SEED_PROXY_IDS.branchOffice)).not.toHaveProperty('threadsNumber');
    // Every repository names a listed proxy.
    const proxyIds = new Set(v8.keys());
    for (const repository of await all(target, '/v8/BackupRepositories', token)) {
      expect(proxyIds.has(String(repository['proxyId']))).toBe(true);
    }
  });

  it('gives the same answers on the same clock, and times that follow the clock', async () => {
    const first = await start();
    const second = await start();
    const later = await start({ clock: { now: () => NOW + HOUR } });
    const read = async (target: Target): Promise<unknown> => {
      const token = await login(target);
      return [
        await all(target, '/v8/Jobs', token),
        await all(target, '/v8/JobSessions', token),
        await all(target, '/v8/RestorePoints', token),
        await all(target, '/v8/Organizations?extendedView=true', token),
      ];
    };
    expect(await read(second)).toEqual(await read(first));
    const token = await login(later);
    const job = (await send(later, `/v8/Jobs/${SEED_JOB_IDS.fabrikamFailed}`, { token })).body as Item;
    expect(job['lastBackup']).toBe(iso(NOW + HOUR - 27 * HOUR));
  });

  it('changes a job, a copy job, a proxy and an organization through the data, and removes jobs with their organization', async () => {
    const target = await start();
    const token = await login(target);
    const { data } = target.simulator;
    data.updateJob(SEED_JOB_IDS.contosoDaily, { lastStatus: 'Failed', isEnabled: false });
    data.updateCopyJob(SEED_COPY_JOB_IDS.contosoArchive, { lastStatus: 'Warning' });
    data.updateProxy(SEED_PROXY_IDS.linux, { status: 'Offline' });
    data.updateOrganization(SEED_ORGANIZATION_IDS.contoso, { lastBackupTime: null });
    expect((await send(target, `/v7/Jobs/${SEED_JOB_IDS.contosoDaily}`, { token })).body).toMatchObject({
      lastStatus: 'Failed',
      isEnabled: false,
    });
    expect((await send(target, `/v6/CopyJobs/${SEED_COPY_JOB_IDS.contosoArchive}`, { token })).body).toMatchObject({
      lastStatus: 'Warning',
    });
    expect((await send(target, `/v8/Proxies/${SEED_PROXY_IDS.linux}`, { token })).body).toMatchObject({
      status: 'Offline',
    });
    expect(
      (await send(target, `/v7/Organizations/${SEED_ORGANIZATION_IDS.contoso}?extendedView=true`, { token })).body,
    ).toMatchObject({ lastBackuptime: null });
    expect(() => data.updateJob('00000000-0000-4000-8000-000000000000', {})).toThrow(/unknown job/);

    data.removeOrganization(SEED_ORGANIZATION_IDS.contoso);
    const jobs = await all(target, '/v8/Jobs', token);
    expect(jobs.map((j) => j['organizationId'])).not.toContain(SEED_ORGANIZATION_IDS.contoso);
    expect(await all(target, '/v8/CopyJobs', token)).toEqual([]);
  });

  it('filters jobs and sessions by the parameters each version documents, and only by those', async () => {
    const target = await start();
    const token = await login(target);
    const fabrikam = SEED_ORGANIZATION_IDS.fabrikam;
    expect((await all(target, `/v8/Jobs?organizationId=${fabrikam}`, token)).map((j) => j['id'])).toEqual([
      SEED_JOB_IDS.fabrikamFailed,
    ]);
    expect((await all(target, `/v7/Organizations/${fabrikam}/Jobs`, token)).map((j) => j['id'])).toEqual([
      SEED_JOB_IDS.fabrikamFailed,
    ]);
    // v6/v7 /Jobs has no filter: the parameter is ignored, as a server ignores unknown ones.
    expect((await all(target, `/v7/Jobs?organizationId=${fabrikam}`, token)).length).toBe(7);
    expect((await all(target, '/v8/JobSessions?status=Failed', token)).map((s) => s['jobId'])).toEqual([
      SEED_JOB_IDS.fabrikamFailed,
    ]);
    expect((await all(target, '/v8/JobSessions?status=Succeeded&jobType=Copy', token)).length).toBe(1);
    expect((await all(target, `/v6/JobSessions?jobId=${SEED_JOB_IDS.fabrikamFailed}`, token)).length).toBe(8);
    // The running session has no end yet: it is never before an upper bound.
    const ended = await all(target, `/v7/JobSessions?endTimeUpperBound=${iso(NOW)}`, token);
    expect(ended.map((s) => s['status'])).not.toContain('Running');
    expect((await send(target, '/v8/Jobs?organizationId=nope', { token })).status).toBe(400);
    expect((await send(target, '/v8/JobSessions?status=Success', { token })).status).toBe(400);
  });
});

describe('the extended view of Organizations failing while the plain listing works', () => {
  it('fails with the status set by option, by setExtendedViewFailure and by the control endpoint', async () => {
    const target = await start({ extendedViewFailure: 503, control: true });
    const token = await login(target);
    const failed = await send(target, '/v7/Organizations?extendedView=true', { token });
    expect(failed).toEqual({
      status: 503,
      body: { message: EXTENDED_VIEW_FAILURE_MESSAGE, errorCode: 'ProxyOffline' },
    });
    expect((await send(target, '/v7/Organizations?extendedView=false', { token })).status).toBe(200);
    expect((await send(target, '/v8/Organizations', { token })).status).toBe(200);

    target.simulator.setExtendedViewFailure(undefined);
    expect((await send(target, '/v6/Organizations', { token })).status).toBe(200);
    target.simulator.setExtendedViewFailure(500);
    expect((await send(target, '/v6/Organizations', { token })).status).toBe(500);
    expect(() => target.simulator.setExtendedViewFailure(200)).toThrow(RangeError);

    const cleared = await send(target, '/_simulator/extended-view-failure', { method: 'PUT', body: '' });
    expect(cleared).toEqual({ status: 200, body: { extendedViewFailure: null } });
    expect((await send(target, '/v8/Organizations?extendedView=true', { token })).status).toBe(200);
    await send(target, '/_simulator/extended-view-failure', { method: 'PUT', body: '500' });
    expect((await send(target, '/v8/Organizations?extendedView=true', { token })).status).toBe(500);
    expect((await send(target, '/_simulator/extended-view-failure', { method: 'PUT', body: 'soon' })).status).toBe(400);
  });
});

/** For every repository and version: backedupOrganizations mapped to organization IDs, and UsedRepositories rows. */
async function bothViews(
  target: Target,
  version: ApiVersion,
): Promise<{ fromRepositories: Item; fromOrganizations: Item }> {
  const token = await login(target);
  const organizations = await all(target, `/${version}/Organizations?extendedView=false&limit=10000`, token);
  // v8 keys backedupOrganizations by the backed-up organization ID, which the Organizations listing maps.
  const organizationOf = new Map(
    organizations.map((o) => [String(version === 'v8' ? (o['backedUpOrganizationId'] ?? o['id']) : o['id']), o['id']]),
  );
  const fromRepositories: Item = {};
  const fromOrganizations: Item = {};
  const bytes = (item: Item): unknown[] => [
    item['usedSpaceBytes'],
    item['localCacheUsedSpaceBytes'],
    item['objectStorageUsedSpaceBytes'],
  ];
  for (const repository of target.simulator.data.backupRepositories.keys()) {
    const items = await all(
      target,
      `/${version}/BackupRepositories/${repository}/backedupOrganizations?limit=10000`,
      token,
    );
    for (const item of items) {
      const organization = organizationOf.get(String(item['id']));
      expect(organization, `${version}: ${String(item['id'])} maps to an organization`).toBeDefined();
      fromRepositories[`${repository} ${String(organization)}`] = bytes(item);
    }
  }
  for (const organization of organizations) {
    const rows = await all(
      target,
      `/${version}/Organizations/${String(organization['id'])}/usedRepositories?limit=10000`,
      token,
    );
    for (const row of rows) {
      const href = String((row['_links'] as { backupRepository: { href: string } }).backupRepository.href);
      fromOrganizations[`${href.split('/').pop() ?? ''} ${String(organization['id'])}`] = bytes(row);
    }
  }
  return { fromRepositories, fromOrganizations };
}

describe('backedupOrganizations and UsedRepositories', () => {
  it('keys v8 items by the backed-up organization ID (mapped in the Organizations listing), v6/v7 by the organization ID', async () => {
    const target = await start();
    const token = await login(target);
    const path = (version: ApiVersion): string =>
      `/${version}/BackupRepositories/${SEED_REPOSITORY_IDS.nordLocal}/backedupOrganizations`;
    const ids = async (version: ApiVersion): Promise<unknown[]> =>
      (await all(target, path(version), token)).map((i) => i['id']);
    const organizations = [SEED_ORGANIZATION_IDS.contoso, SEED_ORGANIZATION_IDS.fabrikam];
    expect(await ids('v6')).toEqual(organizations);
    expect(await ids('v7')).toEqual(organizations);
    expect(await ids('v8')).toEqual([
      SEED_BACKED_UP_ORGANIZATION_IDS.contoso,
      SEED_BACKED_UP_ORGANIZATION_IDS.fabrikam,
    ]);
    for (const [name, backedUpId] of Object.entries(SEED_BACKED_UP_ORGANIZATION_IDS)) {
      const id = SEED_ORGANIZATION_IDS[name as keyof typeof SEED_BACKED_UP_ORGANIZATION_IDS];
      expect(backedUpId).not.toBe(id);
      expect((await send(target, `/v8/Organizations/${id}`, { token })).body).toMatchObject({
        backedUpOrganizationId: backedUpId,
      });
      // The v8 document's other way: Organizations filtered by the backed-up organization ID.
      const found = await all(target, `/v8/Organizations?backedUpOrganizationId=${backedUpId}`, token);
      expect(found.map((o) => o['id'])).toEqual([id]);
    }
  });

  it('keeps the v8 Organizations filters and the extended view in the next links', async () => {
    const target = await start({ pageSize: 1 });
    const token = await login(target);
    const extended = await all(target, '/v8/Organizations?extendedView=true', token);
    expect(extended.length).toBe(Object.keys(SEED_ORGANIZATION_IDS).length);
    for (const organization of extended) expect(organization).toHaveProperty('isBackedup');
    const msid = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
    const first = (await send(target, `/v8/Organizations?msid=${msid}&limit=5`, { token })).body as Item;
    expect(first['results']).toEqual([expect.objectContaining({ id: SEED_ORGANIZATION_IDS.contoso })]);
    expect(first['_links']).toEqual({ self: { href: `/v8/Organizations?msid=${msid}&offset=0&limit=5` } });
    // v6/v7 document no such filter: it is ignored.
    expect((await all(target, `/v7/Organizations?msid=${msid}`, token)).length).toBe(5);
  });

  const layouts: [string, SimulatorOptions][] = [
    ['the seed and generated organizations', { organizationCount: 12, repositoriesPerOrganization: 3 }],
    ['organizations sharing a few repositories', { seed: false, organizationCount: 40, sharedRepositoryCount: 4 }],
  ];
  it.each(layouts)('agree for %s, in every version', async (_name, options) => {
    const target = await start(options);
    for (const version of VERSIONS) {
      const { fromRepositories, fromOrganizations } = await bothViews(target, version);
      expect(Object.keys(fromRepositories).length).toBeGreaterThan(10);
      expect(fromRepositories).toEqual(fromOrganizations);
    }
  });

  it('disagree in exactly the value a skew sets, until it is cleared', async () => {
    const target = await start();
    const { data } = target.simulator;
    data.setBackedUpOrganizationSkew(SEED_REPOSITORY_IDS.nordLocal, SEED_ORGANIZATION_IDS.fabrikam, {
      usedSpaceBytes: 1234567890 + 4096,
    });
    const skewed = await bothViews(target, 'v8');
    const key = `${SEED_REPOSITORY_IDS.nordLocal} ${SEED_ORGANIZATION_IDS.fabrikam}`;
    expect(skewed.fromRepositories[key]).toEqual([1234567890 + 4096, 0, 0]);
    expect(skewed.fromOrganizations[key]).toEqual([1234567890, 0, 0]);
    const others = (view: Item): Item => Object.fromEntries(Object.entries(view).filter(([k]) => k !== key));
    expect(others(skewed.fromRepositories)).toEqual(others(skewed.fromOrganizations));

    data.setBackedUpOrganizationSkew(SEED_REPOSITORY_IDS.nordLocal, SEED_ORGANIZATION_IDS.fabrikam, null);
    const agreed = await bothViews(target, 'v8');
    expect(agreed.fromRepositories).toEqual(agreed.fromOrganizations);
  });

  it('pages up to 10,000 items, with totalCount in v6/v7 only', async () => {
    const target = await start({
      seed: false,
      organizationCount: 10_001,
      repositoriesPerOrganization: 1,
      sharedRepositoryCount: 1,
    });
    const token = await login(target);
    const repository = [...target.simulator.data.backupRepositories.keys()][0] ?? '';
    for (const version of VERSIONS) {
      const first = (
        await send(target, `/${version}/BackupRepositories/${repository}/backedupOrganizations?limit=20000`, { token })
      ).body as { results: unknown[]; limit: number; totalCount?: number; _links: { next?: { href: string } } };
      expect(first.limit).toBe(10_000);
      expect(first.results.length).toBe(10_000);
      expect(first._links.next?.href).toContain('offset=10000');
      expect(first.totalCount).toBe(version === 'v8' ? undefined : 10_001);
    }
  });
});

describe('generator options', () => {
  it('keeps the generated organizations and repositories as they were by default: no jobs, no proxies, own repositories', async () => {
    const target = await start({ seed: false, organizationCount: 3 });
    const { data } = target.simulator;
    // The first generated organization's ID since the generator exists: defaults must not change the data.
    expect([...data.organizations.keys()][0]).toBe('f7df500d-3b00-4724-a7e1-5129ea7fc048');
    expect(data.backupRepositories.size).toBe(6);
    expect([data.jobs.size, data.copyJobs.size, data.proxies.size]).toEqual([0, 0, 0]);
  });

  it('adds jobs and copy jobs per organization, proxies, and a shared repository pool', async () => {
    const options = {
      seed: false,
      organizationCount: 100,
      jobsPerOrganization: 2,
      copyJobsPerOrganization: 1,
      proxyCount: 5,
      sharedRepositoryCount: 20,
    };
    const target = await start(options);
    const { data } = target.simulator;
    expect([data.organizations.size, data.jobs.size, data.copyJobs.size, data.proxies.size]).toEqual([
      100, 200, 100, 5,
    ]);
    expect(data.backupRepositories.size).toBe(20);
    // Two each from a pool of 20: every repository holds 10 organizations.
    for (const repository of data.backupRepositories.keys())
      expect(data.backedUpOrganizations(repository).length).toBe(10);
    const proxies = new Set(data.proxies.keys());
    for (const repository of data.backupRepositories.values()) expect(proxies.has(repository.proxyId)).toBe(true);
    for (const job of data.jobs.values()) {
      expect(data.getOrganization(job.organizationId)?.usedRepositories.map((u) => u.repositoryId)).toContain(
        job.repositoryId,
      );
      expect(Date.parse(job.nextRun ?? '')).toBeGreaterThan(NOW);
    }
    for (const copyJob of data.copyJobs.values())
      expect(data.getJob(copyJob.backupJobId)?.organizationId).toBe(copyJob.organizationId);

    const token = await login(target);
    expect((await all(target, '/v8/Jobs?limit=10000', token)).length).toBe(200);
    expect((await all(target, '/v7/Proxies', token)).length).toBe(5);
    const again = await start(options);
    expect([...again.simulator.data.jobs.values()]).toEqual([...data.jobs.values()]);
  });

  it('refuses a pool smaller than the repositories each organization uses, and copy jobs without jobs', async () => {
    await expect(
      startSimulator({ organizationCount: 1, repositoriesPerOrganization: 3, sharedRepositoryCount: 2 }),
    ).rejects.toThrow(/pool of 2/);
    await expect(startSimulator({ organizationCount: 1, copyJobsPerOrganization: 1 })).rejects.toThrow(/copy jobs/);
  });
});
