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
  SEED_ORGANIZATION_IDS,
  SEED_REPOSITORY_IDS,
  startSimulator,
  type ApiVersion,
  type Simulator,
} from '../src/index.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const openApiDir = path.resolve(packageRoot, 'test', 'fixtures', 'openapi');
const VERSIONS: readonly ApiVersion[] = ['v6', 'v7', 'v8'];
const UNKNOWN_ID = '11111111-2222-4333-8444-555555555555';

type HttpMethod = 'get' | 'post';
interface OpenApiDocument {
  paths: Record<
    string,
    Partial<Record<HttpMethod, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>
  >;
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
  ajv.addSchema(document, documentId(version));
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
  covered.add(`${version} ${method} ${template} ${status === '200' ? '200' : 'default'}`);
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

beforeAll(async () => {
  // pageSize 2 forces `next` links on the three-repository organization and on the v8 lists.
  simulator = await startSimulator({ pageSize: 2 });
  agent = new Agent({ connect: { ca: simulator.ca ?? '' } });
});

afterAll(async () => {
  await simulator.close();
  await agent.close();
});

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
    const reply = await call(`${v}/token`, 'POST', undefined, { grant_type: 'refresh_token', refresh_token: refresh });
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

  it('error bodies (404 unknown resources, 401 without a token)', async () => {
    const cases: [string, string][] = [
      [`${v}/Organizations/${UNKNOWN_ID}/usedRepositories`, `${v}/Organizations/{organizationId}/usedRepositories`],
      [`${v}/Organizations/${UNKNOWN_ID}`, `${v}/Organizations/{organizationId}`],
      [`${v}/BackupRepositories/${UNKNOWN_ID}`, `${v}/BackupRepositories/{repositoryId}`],
    ];
    for (const [url, template] of cases) {
      const reply = await call(url, 'GET', token);
      expect(reply.status, url).toBe(404);
      expectValid(version, 'get', template, 'default', reply.body);
    }
    const unauthorized = await call(`${v}/ServiceInstance`, 'GET');
    expect(unauthorized.status).toBe(401);
    expectValid(version, 'get', `${v}/ServiceInstance`, 'default', unauthorized.body);
  });
});

describe('the contract check itself', () => {
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
  });
});
