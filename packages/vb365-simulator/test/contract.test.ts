// Contract test: the simulator's real answers validate against the response schemas of the official
// VB365 OpenAPI documents (v6, v7, v8), looked up from each document's `paths`, not copied by hand.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LISTING_ROUTES,
  SEED_COPY_JOB_IDS,
  SEED_JOB_IDS,
  SEED_ORGANIZATION_IDS,
  SEED_PROXY_IDS,
  SEED_REPOSITORY_IDS,
  startSimulator,
  type ApiVersion,
  type ListingRoute,
  type Simulator,
  type SimulatorOptions,
} from '../src/index.js';
import { undocumentedFields, type SchemaNode } from './support/undocumented-fields.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const openApiDir = path.resolve(packageRoot, 'test', 'fixtures', 'openapi');
const VERSIONS: readonly ApiVersion[] = ['v6', 'v7', 'v8'];
const UNKNOWN_ID = '11111111-2222-4333-8444-555555555555';

type HttpMethod = 'get' | 'post';
interface OpenApiSchema {
  $ref?: string;
  type?: string;
}
interface OpenApiDocument {
  paths: Record<
    string,
    Partial<Record<HttpMethod, { responses: Record<string, { content?: Record<string, { schema?: OpenApiSchema }> }> }>>
  >;
  components: { schemas: Record<string, SchemaNode> };
}

const documents = new Map<ApiVersion, OpenApiDocument>();
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
addFormats.default(ajv);
for (const version of VERSIONS) {
  const document = JSON.parse(
    readFileSync(path.join(openApiDir, `vb365-rest-${version}.json`), 'utf8'),
  ) as OpenApiDocument;
  documents.set(version, document);
  // The whole document under an $id, so `#/components/schemas/...` refs inside it resolve.
  ajv.addSchema(nullableWithoutType(structuredClone(document)) as Record<string, unknown>, documentId(version));
}

/**
 * OpenAPI 3.0 writes a nullable reference as `{allOf: [{$ref}], nullable: true}`, which Ajv refuses
 * ("nullable" cannot be used without "type"): such a schema becomes `{anyOf: [<it>, {type: 'null'}]}`.
 */
function nullableWithoutType(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableWithoutType);
  if (node === null || typeof node !== 'object') return node;
  const copy = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, nullableWithoutType(value)]));
  if (copy['nullable'] !== true || 'type' in copy) return copy;
  delete copy['nullable'];
  return { anyOf: [copy, { type: 'null' }] };
}

function documentId(version: ApiVersion): string {
  return `vb365-rest-${version}.json`;
}

/** JSON pointer into the document, URI-encoded for use in a $ref fragment. */
function pointer(...segments: string[]): string {
  return segments.map((s) => '/' + encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('');
}

const validators = new Map<string, ValidateFunction>();
/** Operations (version, method, path, status) whose answers were validated: every operation must appear. */
const covered = new Set<string>();

/** The validator for one operation's response, compiled from the spec's `paths` entry. */
function responseValidator(
  version: ApiVersion,
  method: HttpMethod,
  template: string,
  status: '200' | 'default',
): ValidateFunction {
  const key = `${version} ${method} ${template} ${status}`;
  const cached = validators.get(key);
  if (cached) return cached;
  const responses = documents.get(version)?.paths[template]?.[method]?.responses;
  const content = responses?.[status]?.content;
  if (!content) throw new Error(`the ${version} spec has no ${status} content for ${method.toUpperCase()} ${template}`);
  const mediaType = Object.keys(content)[0] ?? '';
  const ref = `${documentId(version)}#${pointer('paths', template, method, 'responses', status, 'content', mediaType, 'schema')}`;
  const validate = ajv.compile({ $ref: ref });
  validators.set(key, validate);
  return validate;
}

/**
 * The validator for ONE item of a listing operation's 200 answer, whatever the answer's own shape: the
 * `items` of a plain array, or the `results` items of a page. For listings forced into the other shape.
 */
function itemValidator(version: ApiVersion, template: string): ValidateFunction {
  const key = `${version} item ${template}`;
  const cached = validators.get(key);
  if (cached) return cached;
  const content = documents.get(version)?.paths[template]?.get?.responses['200']?.content ?? {};
  const mediaType = Object.keys(content)[0] ?? '';
  const schema = content[mediaType]?.schema;
  if (!schema) throw new Error(`the ${version} spec has no 200 content for GET ${template}`);
  const ref =
    schema.type === 'array'
      ? `${documentId(version)}#${pointer('paths', template, 'get', 'responses', '200', 'content', mediaType, 'schema', 'items')}`
      : `${documentId(version)}${schema.$ref ?? ''}/properties/results/items`;
  const validate = ajv.compile({ $ref: ref });
  validators.set(key, validate);
  return validate;
}

function expectValid(
  version: ApiVersion,
  method: HttpMethod,
  template: string,
  status: '200' | 'default',
  body: unknown,
): void {
  const validate = responseValidator(version, method, template, status);
  const valid = validate(body);
  expect(valid, `${version} ${method.toUpperCase()} ${template} (${status}): ${ajv.errorsText(validate.errors)}`).toBe(
    true,
  );
  expect(undocumented(version, method, template, status, body), `${version} ${template}: undocumented fields`).toEqual(
    [],
  );
  covered.add(`${version} ${method} ${template} ${status === '200' ? '200' : 'default'}`);
}

/** The fields of `body` the operation's response schema does not name (the validators let them pass). */
function undocumented(
  version: ApiVersion,
  method: HttpMethod,
  template: string,
  status: '200' | 'default',
  body: unknown,
): string[] {
  const document = documents.get(version);
  const content = document?.paths[template]?.[method]?.responses[status]?.content ?? {};
  const schema = Object.values(content)[0]?.schema as SchemaNode | undefined;
  if (!document || !schema) return [];
  const resolve = (ref: string): SchemaNode => {
    const name = ref.replace('#/components/schemas/', '');
    const found = document.components.schemas[name];
    if (!found) throw new Error(`${version}: no schema ${ref}`);
    return found;
  };
  return undocumentedFields(schema, body, resolve);
}

interface Reply {
  status: number;
  body: unknown;
}

let simulator: Simulator;
let agent: Agent;

async function call(
  pathAndQuery: string,
  method: 'GET' | 'POST',
  token?: string,
  form?: Record<string, string>,
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await request(`${simulator.url}${pathAndQuery}`, {
    method,
    headers,
    body: form ? new URLSearchParams(form).toString() : null,
    dispatcher: agent,
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

interface Page {
  results: { id?: string }[];
  _links: { next?: { href: string } };
}

async function startTarget(options: SimulatorOptions): Promise<void> {
  // pageSize 2 forces `next` links on the three-repository organization and on the v8 lists.
  simulator = await startSimulator({ pageSize: 2, ...options });
  agent = new Agent({ connect: { ca: simulator.ca ?? '' } });
}

async function stopTarget(): Promise<void> {
  await simulator.close();
  await agent.close();
}

async function login(version: ApiVersion): Promise<string> {
  const reply = await call(`/${version}/token`, 'POST', undefined, {
    grant_type: 'password',
    username: simulator.username,
    password: simulator.password,
  });
  return (reply.body as { access_token: string }).access_token;
}

// The seed data as the exporter's tests see it, and with the demo's problems (state flags set, an object
// storage with a size limit, a licence close to expiry), so both kinds of answer are validated.
const SCENARIOS: [string, SimulatorOptions][] = [
  ['seed', {}],
  ['demo', { demo: true }],
];

describe.each(SCENARIOS)('%s data', (scenario, options) => {
  beforeAll(() => startTarget(options));
  afterAll(stopTarget);

  describe.each(VERSIONS)('%s answers match the OpenAPI response schemas', (version) => {
    let token = '';
    const v = `/${version}`;

    beforeAll(async () => {
      const reply = await call(`${v}/token`, 'POST', undefined, {
        grant_type: 'password',
        username: simulator.username,
        password: simulator.password,
        disable_antiforgery_token: 'true',
      });
      expect(reply.status).toBe(200);
      expectValid(version, 'post', `${v}/token`, '200', reply.body);
      token = (reply.body as { access_token: string }).access_token;
    });

    /** Fetches `first` and every page after it, validating each against the operation's 200 schema. */
    async function validatePages(first: string, template: string): Promise<Page[]> {
      const pages: Page[] = [];
      let next: string | undefined = first;
      while (next !== undefined) {
        const reply = await call(next, 'GET', token);
        expect(reply.status, next).toBe(200);
        expectValid(version, 'get', template, '200', reply.body);
        const page = reply.body as Page;
        pages.push(page);
        next = page._links.next?.href;
      }
      return pages;
    }

    it('token refresh', async () => {
      const login = await call(`${v}/token`, 'POST', undefined, {
        grant_type: 'password',
        username: simulator.username,
        password: simulator.password,
      });
      const refresh = (login.body as { refresh_token: string }).refresh_token;
      const reply = await call(`${v}/token`, 'POST', undefined, {
        grant_type: 'refresh_token',
        refresh_token: refresh,
      });
      expect(reply.status).toBe(200);
      expectValid(version, 'post', `${v}/token`, '200', reply.body);
    });

    it('Organizations and Organizations/{organizationId}', async () => {
      const template = `${v}/Organizations`;
      let ids: string[];
      if (version === 'v8') {
        const pages = await validatePages(`${template}?extendedView=false`, template);
        expect(pages.length).toBeGreaterThan(1);
        ids = pages.flatMap((p) => p.results.map((o) => o.id ?? ''));
        const extended = await validatePages(`${template}?extendedView=true&limit=30`, template);
        expect(extended.flatMap((p) => p.results)).toContainEqual(expect.objectContaining({ isBackedup: false }));
      } else {
        for (const extended of ['false', 'true']) {
          const reply = await call(`${template}?extendedView=${extended}`, 'GET', token);
          expectValid(version, 'get', template, '200', reply.body);
        }
        const reply = await call(`${template}?extendedView=false`, 'GET', token);
        ids = (reply.body as { id: string }[]).map((o) => o.id);
      }
      expect(ids).toEqual(Object.values(SEED_ORGANIZATION_IDS));
      for (const id of ids) {
        const reply = await call(`${template}/${id}?extendedView=false`, 'GET', token);
        expectValid(version, 'get', `${template}/{organizationId}`, '200', reply.body);
      }
    });

    it('Organizations: the extended view as each document defaults it (v6 on, v7/v8 off)', async () => {
      const first = async (query: string): Promise<Record<string, unknown>> => {
        const body = (await call(`${v}/Organizations${query}`, 'GET', token)).body;
        const items = (Array.isArray(body) ? body : (body as Page).results) as Record<string, unknown>[];
        return items[0] ?? {};
      };
      const extendedNames = ['isBackedup', 'firstBackuptime', 'lastBackuptime'];
      const byDefault = Object.keys(await first(''));
      if (version === 'v6') expect(byDefault).toEqual(expect.arrayContaining(extendedNames));
      else for (const name of extendedNames) expect(byDefault).not.toContain(name);
      expect(Object.keys(await first('?extendedView=true'))).toEqual(expect.arrayContaining(extendedNames));
      for (const name of extendedNames) expect(Object.keys(await first('?extendedView=false'))).not.toContain(name);
    });

    /** Every item of a listing: the plain array, or every page (validated) in v8. */
    async function listing(path: string, template: string, paged: boolean): Promise<Record<string, unknown>[]> {
      if (paged) return (await validatePages(path, template)).flatMap((p) => p.results as Record<string, unknown>[]);
      const reply = await call(path, 'GET', token);
      expect(reply.status, path).toBe(200);
      expectValid(version, 'get', template, '200', reply.body);
      return reply.body as Record<string, unknown>[];
    }

    it('Jobs, Jobs/{jobId} and (v6/v7) Organizations/{organizationId}/Jobs', async () => {
      const template = `${v}/Jobs`;
      const jobs = await listing(template, template, version === 'v8');
      expect(jobs.map((j) => j['id'])).toEqual(Object.values(SEED_JOB_IDS));
      for (const job of jobs) {
        expect('organizationId' in job, 'organizationId').toBe(version === 'v8');
        expect('lastBackup' in job, 'lastBackup').toBe(version !== 'v6');
        expect(job['_links']).toHaveProperty('organization.href');
        const reply = await call(`${template}/${String(job['id'])}`, 'GET', token);
        expectValid(version, 'get', `${template}/{jobId}`, '200', reply.body);
        expect(reply.body).toEqual(job);
      }
      const contoso = SEED_ORGANIZATION_IDS.contoso;
      if (version === 'v8') {
        const filtered = await listing(`${template}?organizationId=${contoso}`, template, true);
        expect(filtered.map((j) => j['id'])).toEqual([SEED_JOB_IDS.contosoDaily, SEED_JOB_IDS.contosoRunning]);
        expect((await call(`${v}/Organizations/${contoso}/Jobs`, 'GET', token)).status).toBe(404);
        return;
      }
      const perOrganization: unknown[] = [];
      for (const id of Object.values(SEED_ORGANIZATION_IDS)) {
        const reply = await call(`${v}/Organizations/${id}/Jobs`, 'GET', token);
        expectValid(version, 'get', `${v}/Organizations/{organizationId}/Jobs`, '200', reply.body);
        perOrganization.push(...(reply.body as unknown[]));
      }
      expect(perOrganization).toEqual(jobs);
    });

    it('CopyJobs and CopyJobs/{id}', async () => {
      const template = `${v}/CopyJobs`;
      const copyJobs = await listing(template, template, version === 'v8');
      expect(copyJobs.map((j) => j['id'])).toEqual(Object.values(SEED_COPY_JOB_IDS));
      for (const copyJob of copyJobs) {
        expect('organizationId' in copyJob).toBe(version === 'v8');
        expect('lastBackup' in copyJob).toBe(version !== 'v6');
        const reply = await call(`${template}/${String(copyJob['id'])}`, 'GET', token);
        expectValid(version, 'get', `${template}/{id}`, '200', reply.body);
      }
      const filtered = await listing(
        `${template}?repositoryId=${SEED_REPOSITORY_IDS.nordLocal}`,
        template,
        version === 'v8',
      );
      expect(filtered).toEqual([]);
    });

    it('JobSessions (v6 also Jobs/{jobId}/JobSessions), page by page', async () => {
      const template = `${v}/JobSessions`;
      const sessions = await listing(template, template, true);
      // Every job has run once, the copy job too.
      expect(sessions.length).toBe(Object.keys(SEED_JOB_IDS).length + Object.keys(SEED_COPY_JOB_IDS).length);
      const failed = SEED_JOB_IDS.fabrikamFailed;
      if (version === 'v6') {
        for (const id of Object.values(SEED_JOB_IDS)) {
          await validatePages(`${v}/Jobs/${id}/JobSessions`, `${v}/Jobs/{jobId}/JobSessions`);
        }
        const own = await validatePages(`${v}/Jobs/${failed}/JobSessions`, `${v}/Jobs/{jobId}/JobSessions`);
        expect(own.flatMap((p) => p.results)).toEqual([expect.objectContaining({ status: 'Failed' })]);
      } else {
        const own = await listing(`${template}?jobId=${failed}`, template, true);
        expect(own).toEqual([expect.objectContaining({ status: 'Failed', jobType: 'Backup' })]);
      }
    });

    it('Proxies and Proxies/{proxyId} (v6/v7 with and without the extended view)', async () => {
      const template = `${v}/Proxies`;
      const queries = version === 'v8' ? [''] : ['', '?extendedView=true', '?extendedView=false'];
      for (const query of queries) {
        const proxies = await listing(`${template}${query}`, template, version === 'v8');
        expect(proxies.map((p) => p['id'])).toEqual(Object.values(SEED_PROXY_IDS));
        for (const proxy of proxies) {
          expect('maintenanceModeState' in proxy).toBe(version === 'v8');
          expect('cpuUsagePercent' in proxy).toBe(version === 'v8');
          const reply = await call(`${template}/${String(proxy['id'])}${query}`, 'GET', token);
          expectValid(version, 'get', `${template}/{proxyId}`, '200', reply.body);
          expect(reply.body).toEqual(proxy);
        }
      }
    });

    it('RestorePoints (v6 a plain array, v7/v8 pages)', async () => {
      const template = `${v}/RestorePoints`;
      const points = await listing(template, template, version !== 'v6');
      expect(points.length).toBe(Object.keys(SEED_JOB_IDS).length + Object.keys(SEED_COPY_JOB_IDS).length);
      const contoso = await listing(`${template}?jobId=${SEED_JOB_IDS.contosoDaily}`, template, version !== 'v6');
      expect(contoso).toEqual([expect.objectContaining({ repositoryId: SEED_REPOSITORY_IDS.contosoAzure })]);
    });

    it('SyncState (v7/v8 per organization, v8 also for all)', async () => {
      const template = `${v}/Organizations/{organizationId}/SyncState`;
      for (const id of Object.values(SEED_ORGANIZATION_IDS)) {
        const reply = await call(`${v}/Organizations/${id}/SyncState`, 'GET', token);
        if (version === 'v6') {
          expect(reply.status).toBe(404);
          continue;
        }
        expectValid(version, 'get', template, '200', reply.body);
      }
      if (version === 'v8') {
        const all = await call('/v8/Organizations/SyncState', 'GET', token);
        expectValid(version, 'get', '/v8/Organizations/SyncState', '200', all.body);
        expect((all.body as unknown[]).length).toBe(Object.keys(SEED_ORGANIZATION_IDS).length);
      }
    });

    it('UsedRepositories of every seed organization, page by page', async () => {
      const template = `${v}/Organizations/{organizationId}/usedRepositories`;
      let pagesWithNext = 0;
      for (const id of Object.values(SEED_ORGANIZATION_IDS)) {
        const pages = await validatePages(`${v}/Organizations/${id}/UsedRepositories?offset=0&limit=30`, template);
        pagesWithNext += pages.filter((p) => p._links.next !== undefined).length;
      }
      expect(pagesWithNext).toBeGreaterThan(0);
    });

    it('BackupRepositories and BackupRepositories/{repositoryId}', async () => {
      const template = `${v}/BackupRepositories`;
      if (version === 'v8') {
        const pages = await validatePages(template, template);
        expect(pages.length).toBeGreaterThan(1);
      } else {
        const reply = await call(template, 'GET', token);
        expectValid(version, 'get', template, '200', reply.body);
      }
      for (const id of Object.values(SEED_REPOSITORY_IDS)) {
        const reply = await call(`${template}/${id}`, 'GET', token);
        expectValid(version, 'get', `${template}/{repositoryId}`, '200', reply.body);
      }
    });

    it('ServiceInstance', async () => {
      const reply = await call(`${v}/ServiceInstance`, 'GET', token);
      expectValid(version, 'get', `${v}/ServiceInstance`, '200', reply.body);
    });

    it('License', async () => {
      const reply = await call(`${v}/License`, 'GET', token);
      expect(reply.status).toBe(200);
      expectValid(version, 'get', `${v}/License`, '200', reply.body);
      // The expiry's name differs per version, and the validators ignore unknown names: check them here.
      const names = Object.keys(reply.body as object);
      if (version === 'v6') expect(names).toEqual(expect.arrayContaining(['expirationDate', 'contactPerson']));
      else expect(names).toEqual(expect.arrayContaining(['licenseExpires', 'gracePeriodExpires', 'package']));
      expect(names).toEqual(expect.arrayContaining(['status', 'type', 'totalNumber', 'usedNumber', 'newNumber']));
    });

    it('Health (v8 only, anonymous, 503 with the report when unhealthy)', async () => {
      const healthy = await call(`${v}/Health`, 'GET');
      if (version !== 'v8') {
        expect(healthy.status).toBe(404);
        return;
      }
      expect(healthy.status).toBe(200);
      expectValid(version, 'get', `${v}/Health`, '200', healthy.body);
      expect(Object.keys((healthy.body as { entries: object }).entries).length).toBeGreaterThan(1);
      const before = structuredClone(simulator.data.health);
      simulator.data.setHealthEntry('ConfigurationDatabase', 'Unhealthy', 'Connection refused');
      try {
        const unhealthy = await call(`${v}/Health`, 'GET');
        expect(unhealthy.status).toBe(503);
        expectValid(version, 'get', `${v}/Health`, '200', unhealthy.body);
        expect(unhealthy.body).toMatchObject({ status: 'Unhealthy' });
      } finally {
        simulator.data.health = before;
      }
    });

    it('Organizations/{organizationId}/LicensingInformation', async () => {
      for (const id of Object.values(SEED_ORGANIZATION_IDS)) {
        const reply = await call(`${v}/Organizations/${id}/LicensingInformation`, 'GET', token);
        expectValid(version, 'get', `${v}/Organizations/{organizationId}/LicensingInformation`, '200', reply.body);
      }
    });

    it('BackupRepositories/{repositoryId}/backedupOrganizations, page by page', async () => {
      const template = `${v}/BackupRepositories/{repositoryId}/backedupOrganizations`;
      let pagesWithNext = 0;
      for (const id of Object.values(SEED_REPOSITORY_IDS)) {
        const pages = await validatePages(`${v}/BackupRepositories/${id}/backedupOrganizations?limit=1`, template);
        pagesWithNext += pages.filter((p) => p._links.next !== undefined).length;
        // The v6/v7 documents' pages carry totalCount, v8's do not.
        for (const page of pages) expect('totalCount' in page).toBe(version !== 'v8');
      }
      expect(pagesWithNext).toBeGreaterThan(0);
    });

    it('objectstoragerepositories (v6/v7), and every objectStorageId resolves in it', async () => {
      const template = `${v}/objectstoragerepositories`;
      const list = await call(template, 'GET', token);
      if (version === 'v8') {
        expect(list.status).toBe(404);
        return;
      }
      expectValid(version, 'get', template, '200', list.body);
      const repositories = (await call(`${v}/BackupRepositories`, 'GET', token)).body as {
        objectStorageId: string | null;
      }[];
      const ids = repositories.flatMap((r) => (r.objectStorageId === null ? [] : [r.objectStorageId]));
      expect(ids.length).toBeGreaterThan(0);
      expect((list.body as { id: string }[]).map((o) => o.id).sort()).toEqual([...new Set(ids)].sort());
      for (const id of ids) {
        const reply = await call(`${template}/${id}`, 'GET', token);
        expectValid(version, 'get', `${template}/{repositoryId}`, '200', reply.body);
      }
    });

    it(`carries ${scenario === 'demo' ? 'the demo state' : 'none of the demo state'} into the validated answers`, async () => {
      const demo = scenario === 'demo';
      const read = async (id: string): Promise<Record<string, unknown>> =>
        (await call(`${v}/BackupRepositories/${id}`, 'GET', token)).body as Record<string, unknown>;
      expect(await read(SEED_REPOSITORY_IDS.contosoS3)).toMatchObject({ isOutOfSync: demo });
      const azure = await read(SEED_REPOSITORY_IDS.contosoAzure);
      const storage =
        version === 'v8'
          ? azure['objectStorage']
          : (await call(`${v}/objectstoragerepositories/${String(azure['objectStorageId'])}`, 'GET', token)).body;
      expect(storage).toMatchObject(demo ? { sizeLimitEnabled: true, sizeLimitGB: 1024 } : { sizeLimitEnabled: false });
      if (version === 'v8') {
        expect(await read(SEED_REPOSITORY_IDS.fabrikamLocal)).toMatchObject({ isOutdated: demo });
        expect(await read(SEED_REPOSITORY_IDS.tailwindOffline)).toMatchObject(
          demo ? { isOutOfOrder: true, outOfOrderReason: 'invalid state' } : { isOutOfOrder: false },
        );
      }
    });

    it('error bodies (404 unknown resources, 401 without a token)', async () => {
      const cases: [string, string][] = [
        [`${v}/Organizations/${UNKNOWN_ID}/usedRepositories`, `${v}/Organizations/{organizationId}/usedRepositories`],
        [`${v}/Organizations/${UNKNOWN_ID}`, `${v}/Organizations/{organizationId}`],
        [`${v}/BackupRepositories/${UNKNOWN_ID}`, `${v}/BackupRepositories/{repositoryId}`],
      ];
      if (version !== 'v8') {
        cases.push([`${v}/objectstoragerepositories/${UNKNOWN_ID}`, `${v}/objectstoragerepositories/{repositoryId}`]);
      }
      cases.push(
        [`${v}/Jobs/${UNKNOWN_ID}`, `${v}/Jobs/{jobId}`],
        [`${v}/CopyJobs/${UNKNOWN_ID}`, `${v}/CopyJobs/{id}`],
        [`${v}/Proxies/${UNKNOWN_ID}`, `${v}/Proxies/{proxyId}`],
        [
          `${v}/Organizations/${UNKNOWN_ID}/LicensingInformation`,
          `${v}/Organizations/{organizationId}/LicensingInformation`,
        ],
        [
          `${v}/BackupRepositories/${UNKNOWN_ID}/backedupOrganizations`,
          `${v}/BackupRepositories/{repositoryId}/backedupOrganizations`,
        ],
      );
      for (const [url, template] of cases) {
        const reply = await call(url, 'GET', token);
        expect(reply.status, url).toBe(404);
        expectValid(version, 'get', template, 'default', reply.body);
      }
      const badFilter = await call(`${v}/JobSessions?jobType=Nightly`, 'GET', token);
      expect(badFilter.status).toBe(400);
      expectValid(version, 'get', `${v}/JobSessions`, 'default', badFilter.body);
      const unauthorized = await call(`${v}/ServiceInstance`, 'GET');
      expect(unauthorized.status).toBe(401);
      expectValid(version, 'get', `${v}/ServiceInstance`, 'default', unauthorized.body);
    });
  });
});

describe('listings forced into the other shape', () => {
  beforeAll(() => startTarget({}));
  afterAll(stopTarget);

  // The URL and spec template of each listing, and its own shape in each version.
  const listings: Record<ListingRoute, { path: string; template: string; paged: (v: ApiVersion) => boolean }> = {
    organizations: { path: 'Organizations?extendedView=false', template: 'Organizations', paged: (v) => v === 'v8' },
    used_repositories: {
      path: `Organizations/${SEED_ORGANIZATION_IDS.contoso}/UsedRepositories`,
      template: 'Organizations/{organizationId}/usedRepositories',
      paged: () => true,
    },
    backup_repositories: { path: 'BackupRepositories', template: 'BackupRepositories', paged: (v) => v === 'v8' },
    backed_up_organizations: {
      path: `BackupRepositories/${SEED_REPOSITORY_IDS.nordLocal}/backedupOrganizations?limit=1`,
      template: 'BackupRepositories/{repositoryId}/backedupOrganizations',
      paged: () => true,
    },
    object_storage_repositories: {
      path: 'objectstoragerepositories',
      template: 'objectstoragerepositories',
      paged: () => false,
    },
    jobs: { path: 'Jobs', template: 'Jobs', paged: (v) => v === 'v8' },
    copy_jobs: { path: 'CopyJobs', template: 'CopyJobs', paged: (v) => v === 'v8' },
    job_sessions: { path: 'JobSessions?limit=2', template: 'JobSessions', paged: () => true },
    proxies: { path: 'Proxies', template: 'Proxies', paged: (v) => v === 'v8' },
    restore_points: { path: 'RestorePoints', template: 'RestorePoints', paged: (v) => v !== 'v6' },
  };
  const cases = VERSIONS.flatMap((version) =>
    LISTING_ROUTES.filter((route) => version !== 'v8' || route !== 'object_storage_repositories').map(
      (route) => [version, route] as const,
    ),
  );

  it.each(cases)('%s %s: every item, valid, in the other shape', async (version, route) => {
    const { path: listPath, template, paged } = listings[route];
    const token = await login(version);
    const first = `/${version}/${listPath}`;
    /** Every item of the listing, following next links of pages. */
    const fetchAll = async (): Promise<{ shape: 'array' | 'page'; items: unknown[] }> => {
      const reply = await call(first, 'GET', token);
      expect(reply.status, first).toBe(200);
      if (Array.isArray(reply.body)) return { shape: 'array', items: reply.body };
      const items: unknown[] = [];
      let page = reply.body as Page;
      for (;;) {
        items.push(...page.results);
        const next = page._links.next?.href;
        if (next === undefined) return { shape: 'page', items };
        page = (await call(next, 'GET', token)).body as Page;
      }
    };
    const native = await fetchAll();
    expect(native.shape).toBe(paged(version) ? 'page' : 'array');
    simulator.setListingShape(route, paged(version) ? 'array' : 'page');
    try {
      const forced = await fetchAll();
      expect(forced.shape).toBe(paged(version) ? 'array' : 'page');
      expect(forced.items).toEqual(native.items);
      const validate = itemValidator(version, `/${version}/${template}`);
      for (const item of forced.items) expect(validate(item), ajv.errorsText(validate.errors)).toBe(true);
    } finally {
      simulator.setListingShape(route, undefined);
    }
  });
});

describe('the extended view failing (no backup proxy online)', () => {
  beforeAll(() => startTarget({ extendedViewFailure: 500 }));
  afterAll(stopTarget);

  it.each(VERSIONS)('%s: the extended view answers a valid 500, the plain listing works', async (version) => {
    const token = await login(version);
    const template = `/${version}/Organizations`;
    const failed = await call(`${template}?extendedView=true`, 'GET', token);
    expect(failed.status).toBe(500);
    expectValid(version, 'get', template, 'default', failed.body);
    const single = await call(`${template}/${SEED_ORGANIZATION_IDS.contoso}?extendedView=true`, 'GET', token);
    expect(single.status).toBe(500);
    expect((await call(`${template}?extendedView=false`, 'GET', token)).status).toBe(200);
    // v6 extends by default, so its listing without the parameter fails too.
    expect((await call(template, 'GET', token)).status).toBe(version === 'v6' ? 500 : 200);
  });
});

describe('absent fields', () => {
  beforeAll(() =>
    startTarget({
      pageSize: 10_000,
      absentFields: {
        license: ['licenseExpires', 'gracePeriodExpires'],
        backup_repositories: ['isOutOfSync', 'objectStorage.usedSpaceBytes'],
      },
    }),
  );
  afterAll(stopTarget);

  it('leaves the fields out of objects and of every page item, and the answers stay valid', async () => {
    const token = await login('v8');
    const license = (await call('/v8/License', 'GET', token)).body as Record<string, unknown>;
    expectValid('v8', 'get', '/v8/License', '200', license);
    expect(license).not.toHaveProperty('licenseExpires');
    expect(license).not.toHaveProperty('gracePeriodExpires');
    expect(license).toHaveProperty('totalNumber');

    const page = (await call('/v8/BackupRepositories?limit=100', 'GET', token)).body as Page;
    expectValid('v8', 'get', '/v8/BackupRepositories', '200', page);
    const items = page.results as Record<string, unknown>[];
    expect(items.length).toBe(Object.keys(SEED_REPOSITORY_IDS).length);
    for (const item of items) expect(item).not.toHaveProperty('isOutOfSync');
    const storages = items.flatMap((i) => (i['objectStorage'] ? [i['objectStorage']] : []));
    expect(storages.length).toBeGreaterThan(0);
    for (const storage of storages) {
      expect(storage).not.toHaveProperty('usedSpaceBytes');
      expect(storage).toHaveProperty('sizeLimitEnabled');
    }
  });
});

describe('the contract check itself', () => {
  beforeAll(() => startTarget({}));
  afterAll(stopTarget);

  it('validated every JSON 200 response the trimmed specs define', () => {
    const expected: string[] = [];
    for (const version of VERSIONS) {
      for (const [template, operations] of Object.entries(documents.get(version)?.paths ?? {})) {
        for (const method of ['get', 'post'] as const) {
          if (operations[method]?.responses['200']?.content) expected.push(`${version} ${method} ${template} 200`);
        }
      }
    }
    expect(expected.length).toBeGreaterThan(15);
    expect(expected.filter((operation) => !covered.has(operation))).toEqual([]);
  });

  it('rejects deliberately wrong bodies with the same validators', async () => {
    const template = '/v8/Organizations/{organizationId}/usedRepositories';
    const login = await call('/v8/token', 'POST', undefined, {
      grant_type: 'password',
      username: simulator.username,
      password: simulator.password,
    });
    const token = (login.body as { access_token: string }).access_token;
    const reply = await call(`/v8/Organizations/${SEED_ORGANIZATION_IDS.contoso}/usedRepositories`, 'GET', token);
    const validate = responseValidator('v8', 'get', template, '200');
    expect(validate(reply.body)).toBe(true);

    const page = structuredClone(reply.body) as { results: Record<string, unknown>[] };
    const first = page.results[0];
    if (!first) throw new Error('expected a result');
    first['usedSpaceBytes'] = String(first['usedSpaceBytes']);
    expect(validate(page)).toBe(false);
    expect(ajv.errorsText(validate.errors)).toContain('usedSpaceBytes');

    // A v6/v7-style plain array where v8 answers a page.
    expect(responseValidator('v8', 'get', '/v8/Organizations', '200')([{ id: SEED_ORGANIZATION_IDS.contoso }])).toBe(
      false,
    );
    // A repository ID that is not a UUID.
    expect(validate({ ...page, results: [{ repositoryId: 'not-a-uuid' }] })).toBe(false);
    // A field of another version passes the validator, not the check for undocumented fields.
    expect(undocumented('v8', 'get', template, '200', page)).toEqual([]);
    const v6Job = { id: SEED_JOB_IDS.contosoDaily, organizationId: SEED_ORGANIZATION_IDS.contoso, lastBackup: null };
    expect(responseValidator('v6', 'get', '/v6/Jobs/{jobId}', '200')(v6Job)).toBe(true);
    expect(undocumented('v6', 'get', '/v6/Jobs/{jobId}', '200', v6Job)).toEqual(['organizationId', 'lastBackup']);
    const v7Proxy = { id: SEED_PROXY_IDS.maintenance, maintenanceModeState: 'Enabled', _links: { any: { href: '/' } } };
    expect(undocumented('v7', 'get', '/v7/Proxies', '200', [v7Proxy])).toEqual(['[].maintenanceModeState']);
  });
});
