/**
 * Hostile servers, part 2: organization IDs that are not UUIDs. The exporter puts an organization's ID into
 * the path of its UsedRepositories request, so an ID like `../../v8/Token` or `x?y` could send the bearer
 * token to another route. Two ways in, both closed:
 *  - the Organizations listing (every API version) carries such IDs: each item is rejected and counted, and
 *    every request path the simulator receives is one of the four the exporter means to send, with a seed
 *    organization's UUID where an ID goes;
 *  - configured organizations (`organizations`, VB365_ORGANIZATIONS): refused at start-up, naming the setting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SEED_ORGANIZATION_IDS as ORG, startSimulator, type ApiVersion } from 'vb365-simulator';
import { parseCommandLine } from '../../src/config/args.js';
import { loadConfig } from '../../src/config/load.js';
import { configError } from '../support/config-error.js';
import { SEED_ORGS, count, expectExported, logLines, up } from '../support/fault-checks.js';
import { samples, serverConfig, startExporterFor, type Harness } from '../support/harness.js';

const UUID = ORG.contoso;

/** IDs a hostile (or broken) server might list, each aimed at a request path. */
const HOSTILE_IDS: readonly string[] = [
  '../../v8/Token',
  '..',
  '.',
  '',
  'x?y',
  'x#y',
  '%2e%2e',
  '%2e%2e%2fv8%2fToken',
  '..%2F..%2Fv8%2FToken',
  `${UUID}/../../Token`,
  `${UUID}/UsedRepositories?limit=1&x=`,
  `${UUID}?offset=0`,
  `${UUID}\n`,
  ` ${UUID}`,
  `{${UUID}}`,
  `${UUID.slice(0, -1)}g`,
  'https://attacker.example/v8/Token',
  '//attacker.example/x',
];

/** Not even strings. */
const NON_STRING_IDS: readonly unknown[] = [null, 7, [UUID], { id: UUID }, true];

/** Every request path the exporter means to send in one cycle of `version`. */
function expectedPaths(version: ApiVersion): RegExp[] {
  const paged = version === 'v8' ? '&offset=0&limit=10000' : '';
  return [
    new RegExp(`^/${version}/token$`),
    // With the backup state first; without it only when the server cannot build that.
    new RegExp(`^/${version}/Organizations\\?extendedView=(true|false)${paged}$`),
    new RegExp(
      `^/${version}/Organizations/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/usedRepositories\\?offset=0&limit=10000$`,
    ),
    new RegExp(`^/${version}/BackupRepositories${version === 'v8' ? '\\?offset=0&limit=1000' : ''}$`),
    new RegExp(`^/${version}/ServiceInstance$`),
    new RegExp(`^/${version}/License$`),
    new RegExp(version === 'v8' ? '^/v8/Health$' : `^/${version}/objectstoragerepositories$`),
    // One read of each listing a cycle, never one per organization.
    new RegExp(`^/${version}/(Jobs|CopyJobs)${version === 'v8' ? '\\?offset=0&limit=1000' : ''}$`),
    new RegExp(`^/${version}/Proxies${version === 'v8' ? '\\?offset=0&limit=10000' : ''}$`),
  ];
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe.each(['v6', 'v7', 'v8'] as const)('an Organizations listing with IDs that are not UUIDs (%s)', (version) => {
  it('rejects and counts each of them; no request path the exporter sends holds one', async () => {
    const simulator = await startSimulator();
    const hostileItems = [...HOSTILE_IDS, ...NON_STRING_IDS].map((id, index) => ({
      id,
      name: `hostile ${index}`,
      officeName: 'hostile.onmicrosoft.com',
    }));
    // One rule for every request: it records the path as received, and adds the hostile items to the listing.
    const paths: string[] = [];
    simulator.addFault({
      route: '*',
      transformBody: (body, request) => {
        paths.push(request.path);
        if (request.route !== 'organizations') return body;
        const answer = JSON.parse(body) as unknown[] | { results: unknown[] };
        if (Array.isArray(answer)) answer.push(...hostileItems);
        else answer.results.push(...hostileItems);
        return JSON.stringify(answer);
      },
    });
    const h = await startExporterFor([serverConfig(simulator, { apiVersion: version })]);
    harness = { ...h, simulator, close: () => h.close().then(() => simulator.close()) };
    const { logs } = h;
    const text = await h.metricsText();

    // Every path is one the exporter means to send, and the IDs in them are exactly the seed organizations'.
    const allowed = expectedPaths(version);
    for (const path of paths)
      expect(
        allowed.some((pattern) => pattern.test(path)),
        path,
      ).toBe(true);
    const polled = paths
      .map((path) => /\/Organizations\/([^/]+)\/usedRepositories/.exec(path)?.[1])
      .filter((id) => id !== undefined);
    expect(polled.sort()).toEqual([...SEED_ORGS].sort());
    for (const path of paths)
      for (const id of HOSTILE_IDS.filter((hostile) => hostile.trim() !== '' && hostile.trim() !== UUID)) {
        expect(path).not.toContain(id);
        expect(path).not.toContain(encodeURIComponent(id));
      }
    expect(simulator.stats.byRoute.unknown).toBe(0);
    expect(simulator.stats.byRoute.organizations).toBe(1);
    expect(simulator.stats.byRoute.used_repositories).toBe(SEED_ORGS.length);
    expect(paths).toHaveLength(simulator.stats.requests);

    // Counted and logged as rejected items; the seed organizations polled as usual.
    const rejected = (metrics: string): number =>
      count(metrics, 'veeam_vb365_rejected_items_total', { endpoint: 'organizations' });
    expect(simulator.stats.byRoute.token).toBe(1);
    expect(rejected(text)).toBe(hostileItems.length);
    const warnings = logLines(logs.lines, 'skipped invalid items in the organizations answer', {
      rejected: hostileItems.length,
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.['reasons']).toEqual([
      `item ${SEED_ORGS.length}: "id" is not a UUID (a string)`,
      `item ${SEED_ORGS.length + 1}: "id" is not a UUID (a string)`,
      `item ${SEED_ORGS.length + 2}: "id" is not a UUID (a string)`,
      `item ${SEED_ORGS.length + 3}: "id" is not a UUID (a string)`,
      `item ${SEED_ORGS.length + 4}: "id" is not a UUID (a string)`,
    ]);
    expect(up(text)).toBe(1);
    for (const id of SEED_ORGS) expectExported(text, simulator, id);
    const exported = new Set(
      samples(text, 'veeam_vb365_organization_poll_success').map((sample) => sample.labels['organization_id']),
    );
    expect([...exported].sort()).toEqual([...SEED_ORGS].sort());
    expect(text).not.toContain('hostile ');
  });
});

describe('configured organizations that are not UUIDs', () => {
  const EXPECTED = 'expected organization IDs (UUIDs), comma-separated or as a list';
  /** These are UUIDs once the surrounding white space is trimmed, which the configuration does. */
  const TRIMMED_TO_UUID = [` ${UUID}`, `${UUID}\n`];
  const refusedStrings = HOSTILE_IDS.filter((id) => !TRIMMED_TO_UUID.includes(id));
  const env = { VB365_URL: 'https://vb365.example.com:4443', VB365_USERNAME: 'svc', VB365_PASSWORD: 'p' };

  it.each(refusedStrings.filter((id) => id !== ''))('VB365_ORGANIZATIONS=%j is refused at start-up', (id) => {
    const error = configError(() => loadConfig(parseCommandLine([]), { ...env, VB365_ORGANIZATIONS: id }));
    expect(error.message).toBe(`VB365_ORGANIZATIONS: ${EXPECTED}, got ${JSON.stringify(id.trim())}`);
    // With a good ID before it, the whole setting is still refused.
    const listed = configError(() =>
      loadConfig(parseCommandLine([]), { ...env, VB365_ORGANIZATIONS: `${ORG.fabrikam},${id}` }),
    );
    expect(listed.message).toBe(error.message);
  });

  it('an empty VB365_ORGANIZATIONS, or empty items in it, mean no IDs (discover every organization)', () => {
    for (const value of ['', ',', ' , ,'])
      expect(
        loadConfig(parseCommandLine([]), { ...env, VB365_ORGANIZATIONS: value }).config.servers[0]?.organizations,
      ).toEqual([]);
    expect(
      loadConfig(parseCommandLine([]), { ...env, VB365_ORGANIZATIONS: `,${ORG.fabrikam},,` }).config.servers[0]
        ?.organizations,
    ).toEqual([ORG.fabrikam]);
  });

  const directory = mkdtempSync(join(tmpdir(), 'vb365-hostile-ids-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const yamlWith = (organizations: unknown[]): string => {
    const file = join(directory, 'config.yml');
    writeFileSync(
      file,
      stringify({ servers: [{ url: env.VB365_URL, username: 'svc', password: 'p', organizations }] }),
    );
    return file;
  };

  it.each([...refusedStrings, ...NON_STRING_IDS])(
    'organizations: [%j] in the YAML file is refused at start-up',
    (id) => {
      const file = yamlWith([ORG.fabrikam, id]);
      const error = configError(() => loadConfig(parseCommandLine(['--config', file]), {}));
      expect(error.message).toBe(`servers[0].organizations (${file}): ${EXPECTED}, got ${JSON.stringify(id)}`);
    },
  );

  it('IDs with white space around them are trimmed to the UUID, in both', () => {
    for (const id of TRIMMED_TO_UUID) {
      const file = yamlWith([id]);
      expect(loadConfig(parseCommandLine(['--config', file]), {}).config.servers[0]?.organizations).toEqual([UUID]);
      expect(
        loadConfig(parseCommandLine([]), { ...env, VB365_ORGANIZATIONS: id }).config.servers[0]?.organizations,
      ).toEqual([UUID]);
    }
  });
});
