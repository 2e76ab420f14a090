/**
 * Fault matrix, part 3: answers that arrive but cannot be trusted. Malformed JSON, the wrong shape,
 * invalid items (each skipped with a warning naming the organization, never turned into a sample, the
 * rest of the answer kept), next links that loop or leave the server, oversized bodies, and
 * organizations that leave and rejoin discovery. Against the bundled simulator over real TLS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_ORGANIZATION_IDS as ORG, SEED_REPOSITORY_IDS as REPO, type FaultRequest } from 'vb365-simulator';
import {
  ITEMS_SKIPPED,
  LISTING_FAILED,
  ORG_POLL_FAILED,
  SEED_ORGS,
  count,
  expectExported,
  expectHealthy,
  expectOthersIntact,
  exportedRepositories,
  logLines,
  pollSuccess,
  requests,
  up,
} from '../support/fault-checks.js';
import {
  fakeClockSkippingRetries,
  sampleValue,
  startHarness,
  type Harness,
  type HarnessOptions,
} from '../support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: HarnessOptions = {}): Promise<Harness> {
  harness = await startHarness({
    clock: fakeClockSkippingRetries(),
    ...options,
    server: { pollIntervalSeconds: 86_400, ...options.server },
  });
  return harness;
}

type JsonObject = Record<string, unknown>;

/** A transformBody that edits the parsed page and serializes it again. */
function editPage(
  edit: (page: JsonObject, request: FaultRequest) => void,
): (body: string, request: FaultRequest) => string {
  return (body, request) => {
    const page = JSON.parse(body) as JsonObject;
    edit(page, request);
    return JSON.stringify(page);
  };
}

function results(page: JsonObject): JsonObject[] {
  return page['results'] as JsonObject[];
}

const invalidAnswers = (text: string, endpoint: string): number =>
  count(text, 'veeam_vb365_invalid_answers_total', { endpoint });
const rejectedItems = (text: string, endpoint: string): number =>
  count(text, 'veeam_vb365_rejected_items_total', { endpoint });

/** Clears the faults, polls again, and checks every organization is exported exactly. */
async function expectRestored(h: Harness): Promise<void> {
  h.simulator.clearFaults();
  await h.exporter.pollNow();
  const text = await h.metricsText();
  expect(up(text)).toBe(1);
  for (const organizationId of SEED_ORGS) expectExported(text, h.simulator, organizationId);
}

/** One organization's answer was refused as a whole: it failed and kept its values, the others are intact. */
async function expectOrganizationRefused(h: Harness, reason: RegExp): Promise<string> {
  const text = await h.metricsText();
  await expectHealthy(h.exporter.url);
  expect(up(text)).toBe(1);
  expectExported(text, h.simulator, ORG.contoso, 0);
  expectOthersIntact(text, h.simulator, [ORG.contoso]);
  const [failure] = logLines(h.logs.lines, ORG_POLL_FAILED, { organizationId: ORG.contoso });
  expect(String(failure?.['reason'])).toMatch(reason);
  return text;
}

describe('answers refused as a whole', () => {
  it('malformed JSON: code invalid_json, the organization failed, the others intact', async () => {
    const h = await start();
    h.simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      body: '{"offset":0,"results":[{"usedSpaceBytes":1',
    });
    await h.exporter.pollNow();
    const text = await expectOrganizationRefused(h, /not valid JSON/);
    expect(requests(text, 'used_repositories', 'invalid_json')).toBe(1); // not retried
    await expectRestored(h);
  });

  it('malformed JSON in the organization listing: up 0, every value kept', async () => {
    const h = await start();
    h.simulator.addFault({ route: 'organizations', body: '<html>Service Unavailable</html>' });
    await h.exporter.pollNow();
    const text = await h.metricsText();
    await expectHealthy(h.exporter.url);
    expect(up(text)).toBe(0);
    expect(requests(text, 'organizations', 'invalid_json')).toBe(1);
    for (const organizationId of SEED_ORGS) expectExported(text, h.simulator, organizationId, 0);
    expect(String(logLines(h.logs.lines, LISTING_FAILED)[0]?.['reason'])).toContain('not valid JSON');
    await expectRestored(h);
  });

  it.each([
    ['"results" missing', '{"offset":0,"limit":10000,"_links":{}}', /"results" to be an array, got nothing/],
    ['"results" an object', '{"offset":0,"limit":10000,"results":{"0":{}}}', /"results" to be an array, got an object/],
    ['a number', '7', /expected a page object, got a number/],
    ['null', 'null', /expected a page object, got null/],
    [
      'a next href that is a number',
      '{"results":[],"_links":{"next":{"href":7}}}',
      /"_links.next.href" to be a string/,
    ],
  ])(
    'wrong shape (%s): invalid_answers_total, the organization failed, the others intact',
    async (_case, body, reason) => {
      const h = await start();
      h.simulator.addFault({ route: 'used_repositories', organizationId: ORG.contoso, body });
      await h.exporter.pollNow();
      const text = await expectOrganizationRefused(h, reason);
      expect(invalidAnswers(text, 'used_repositories')).toBe(1);
      expect(requests(text, 'used_repositories', '200')).toBe(2 * SEED_ORGS.length); // answered 200, refused by the exporter
      await expectRestored(h);
    },
  );

  it('an object that is neither an array nor a page where v6 answers the organization array: up 0, invalid_answers_total, every value kept', async () => {
    const h = await start({ server: { apiVersion: 'v6' } });
    h.simulator.addFault({ route: 'organizations', body: '{"value":[]}' });
    await h.exporter.pollNow();
    const text = await h.metricsText();
    await expectHealthy(h.exporter.url);
    expect(up(text)).toBe(0);
    expect(invalidAnswers(text, 'organizations')).toBe(1);
    for (const organizationId of SEED_ORGS) expectExported(text, h.simulator, organizationId, 0);
    expect(String(logLines(h.logs.lines, LISTING_FAILED)[0]?.['reason'])).toContain(
      'expected "results" to be an array, got nothing',
    );
    await expectRestored(h);
  });
});

describe('invalid items: skipped with a warning naming the organization, the rest of the answer kept', () => {
  /** Edits the first item of Contoso's (v6) answer: the Azure repository. */
  const cases: ReadonlyArray<[string, (item: JsonObject) => void, RegExp]> = [
    [
      'a byte count that is a string',
      (item) => (item['usedSpaceBytes'] = '0'),
      /"usedSpaceBytes" is not a byte count \(a string\)/,
    ],
    [
      'a numeric string',
      (item) => (item['objectStorageUsedSpaceBytes'] = '2499432773'),
      /"objectStorageUsedSpaceBytes" is not a byte count/,
    ],
    [
      'a negative byte count',
      (item) => (item['localCacheUsedSpaceBytes'] = -3473408),
      /"localCacheUsedSpaceBytes" is not a byte count \(a number -3473408\)/,
    ],
    [
      'a fractional byte count',
      (item) => (item['objectStorageUsedSpaceBytes'] = 2499432773.5),
      /"objectStorageUsedSpaceBytes" is not a byte count \(a fractional number/,
    ],
    [
      '2^53, not exactly representable',
      (item) => (item['objectStorageUsedSpaceBytes'] = 2 ** 53),
      /"objectStorageUsedSpaceBytes" is not a byte count/,
    ],
    [
      'a byte count above 2^53 (uint64 max)',
      (item) => (item['objectStorageUsedSpaceBytes'] = 'UINT64_MAX'),
      /"objectStorageUsedSpaceBytes" is not a byte count \(a number 18446744073709552000\)/,
    ],
    ['a byte count of 1e300', (item) => (item['usedSpaceBytes'] = 1e300), /"usedSpaceBytes" is not a byte count/],
    [
      'a byte count that is an object',
      (item) => (item['usedSpaceBytes'] = { value: 1 }),
      /"usedSpaceBytes" is not a byte count \(an object\)/,
    ],
    ['isAvailable a string', (item) => (item['isAvailable'] = 'true'), /"isAvailable" is not a boolean \(a string\)/],
    ['isAvailable missing', (item) => delete item['isAvailable'], /"isAvailable" is not a boolean \(nothing\)/],
    [
      'an href with no repository ID',
      (item) => (item['_links'] = { backupRepository: { href: '/v6/backuprepositories/' } }),
      /no repository ID/,
    ],
    [
      'an href with a name, not an ID',
      (item) => (item['_links'] = { backupRepository: { href: '/v6/backuprepositories/azure' } }),
      /no repository ID/,
    ],
    ['no _links at all', (item) => delete item['_links'], /no repository ID/],
  ];

  it.each(cases)('%s', async (_case, edit, reason) => {
    const h = await start({ server: { apiVersion: 'v6' } });
    h.simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      transformBody: (body) => {
        const page = JSON.parse(body) as JsonObject;
        const first = results(page)[0];
        if (first === undefined) throw new Error('Contoso has no first item');
        edit(first);
        return JSON.stringify(page).replace('"UINT64_MAX"', '18446744073709551615');
      },
    });
    await h.exporter.pollNow();
    const text = await h.metricsText();
    await expectHealthy(h.exporter.url);
    expect(rejectedItems(text, 'used_repositories')).toBe(1);
    expect(invalidAnswers(text, 'used_repositories')).toBe(0);
    // The answer itself was good: the organization succeeded with the two valid items, to the byte.
    expect(pollSuccess(text, ORG.contoso)).toBe(1);
    expect(exportedRepositories(text, ORG.contoso)).toEqual([REPO.contosoS3, REPO.nordLocal].sort());
    const labels = (repository: string): Record<string, string> => ({
      server: 'sim',
      organization_id: ORG.contoso,
      repository_id: repository,
    });
    expect(sampleValue(text, 'veeam_vb365_repository_object_storage_used_space_bytes', labels(REPO.contosoS3))).toBe(
      2348310138,
    );
    expect(sampleValue(text, 'veeam_vb365_repository_used_space_bytes', labels(REPO.nordLocal))).toBe(9559506944);
    // The refused item gives no sample at all: neither its new value nor its old one (a job of Contoso's
    // that backs up to that repository is another fact, with its own series).
    const usedSpaceLines = text
      .split('\n')
      .filter((line) => !line.startsWith('veeam_vb365_job_'))
      .join('\n');
    expect(usedSpaceLines).not.toContain(`organization_id="${ORG.contoso}",repository_id="${REPO.contosoAzure}"`);
    expectOthersIntact(text, h.simulator, [ORG.contoso]);
    const [warning] = logLines(h.logs.lines, ITEMS_SKIPPED, { organizationId: ORG.contoso });
    expect(warning?.['level']).toBe('warn');
    expect(warning?.['rejected']).toBe(1);
    expect(String((warning?.['reasons'] as string[] | undefined)?.[0])).toMatch(reason);
    await expectRestored(h);
  });

  it('the same repository twice in one answer: the repeat is skipped, the first kept', async () => {
    const h = await start();
    h.simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      transformBody: editPage((page) => {
        const items = results(page);
        items.push({ ...items[2], usedSpaceBytes: 1 }); // nordLocal again, with another value
      }),
    });
    await h.exporter.pollNow();
    const text = await h.metricsText();
    await expectHealthy(h.exporter.url);
    expect(rejectedItems(text, 'used_repositories')).toBe(1);
    expectExported(text, h.simulator, ORG.contoso); // the first nordLocal row (9559506944), not 1
    expectOthersIntact(text, h.simulator, [ORG.contoso]);
    const [warning] = logLines(h.logs.lines, ITEMS_SKIPPED, { organizationId: ORG.contoso });
    expect(String((warning?.['reasons'] as string[] | undefined)?.[0])).toBe(
      `item 3: ${REPO.nordLocal} appears more than once in the answer`,
    );
    await expectRestored(h);
  });
});

describe('next links', () => {
  it('a next link that points back to its own page is refused without following it', async () => {
    const h = await start();
    h.simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      transformBody: editPage((page, request) => (page['_links'] = { next: { href: request.path } })),
    });
    h.simulator.resetStats();
    await h.exporter.pollNow();
    const text = await expectOrganizationRefused(h, /the next link loops back/);
    expect(invalidAnswers(text, 'used_repositories')).toBe(1);
    expect(h.simulator.stats.byRoute.used_repositories).toBe(SEED_ORGS.length);
    await expectRestored(h);
  });

  it('a loop over two pages is refused', async () => {
    const h = await start({ simulator: { pageSize: 2 } });
    // Contoso's three repositories come in pages at offset 0 and 2; the second links back to the first.
    h.simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      transformBody: editPage((page, request) => {
        if (request.path.includes('offset=2'))
          page['_links'] = { next: { href: `/v8/Organizations/${ORG.contoso}/usedRepositories?offset=0&limit=10000` } };
      }),
    });
    h.simulator.resetStats();
    await h.exporter.pollNow();
    const text = await expectOrganizationRefused(h, /the next link loops back/);
    expect(invalidAnswers(text, 'used_repositories')).toBe(1);
    await expectRestored(h);
  });

  it('a listing that never ends (always a new next link) is refused after 1000 pages', async () => {
    const h = await start();
    h.simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      transformBody: editPage((page, request) => {
        const offset = Number(/offset=(\d+)/.exec(request.path)?.[1] ?? '0');
        page['_links'] = {
          next: { href: `/v8/Organizations/${ORG.contoso}/usedRepositories?offset=${offset + 1}&limit=10000` },
        };
      }),
    });
    h.simulator.resetStats();
    await h.exporter.pollNow();
    const text = await expectOrganizationRefused(h, /more than 1000 pages/);
    expect(invalidAnswers(text, 'used_repositories')).toBe(1);
    expect(h.simulator.stats.byRoute.used_repositories).toBe(1000 + SEED_ORGS.length - 1);
    await expectRestored(h);
  }, 60_000);

  it('a next link to another server is refused, so the token never leaves', async () => {
    const h = await start();
    h.simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      transformBody: editPage(
        (page) => (page['_links'] = { next: { href: 'https://collector.example:4443/v8/steal?offset=1' } }),
      ),
    });
    await h.exporter.pollNow();
    const text = await expectOrganizationRefused(h, /points to another server/);
    expect(invalidAnswers(text, 'used_repositories')).toBe(1);
    await expectRestored(h);
  });
});

describe('answers larger than max_response_bytes', () => {
  const cap = 64 * 1024;
  const padded = editPage((page) => (page['padding'] = 'x'.repeat(2 * 1024 * 1024)));

  it('a declared Content-Length above the cap is refused at once', async () => {
    const h = await start({ server: { maxResponseBytes: cap } });
    h.simulator.addFault({ route: 'used_repositories', organizationId: ORG.contoso, transformBody: padded });
    await h.exporter.pollNow();
    const text = await expectOrganizationRefused(h, /larger than max_response_bytes \(65536 bytes\)/);
    expect(requests(text, 'used_repositories', 'too_large')).toBe(1); // not retried
    await expectRestored(h);
  });

  it('a chunked body is cut as soon as it passes the cap, long before it would end', async () => {
    const h = await start({ server: { maxResponseBytes: cap, requestTimeoutSeconds: 60 } });
    // 2 MiB at 128 KiB/s takes 16 s to send; the cap is passed after about half a second.
    h.simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      transformBody: padded,
      omitContentLength: true,
      trickleBytesPerSecond: 128 * 1024,
    });
    h.simulator.resetStats();
    const startedAt = performance.now();
    await h.exporter.pollNow();
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    const text = await expectOrganizationRefused(h, /larger than max_response_bytes/);
    expect(requests(text, 'used_repositories', 'too_large')).toBe(1);
    // The server saw the client hang up before the body was complete.
    expect(h.simulator.stats.unfinishedResponses).toBe(1);
    await expectRestored(h);
  });
});

describe('organizations leaving and rejoining', () => {
  it('an organization gone from discovery loses its series (and a log line says so), and comes back', async () => {
    const h = await start();
    const contoso = h.simulator.data.getOrganization(ORG.contoso);
    if (contoso === undefined) throw new Error('no Contoso');
    h.simulator.data.removeOrganization(ORG.contoso);
    await h.exporter.pollNow();
    let text = await h.metricsText();
    await expectHealthy(h.exporter.url);
    expect(text).not.toContain(`organization_id="${ORG.contoso}"`);
    expectOthersIntact(text, h.simulator, [ORG.contoso]);
    // The status page no longer lists it either.
    expect(await (await fetch(`${h.exporter.url}/`)).text()).not.toContain(ORG.contoso);
    // Nothing failed, but series vanished: one log line says which organization and why.
    expect(logLines(h.logs.lines, /./, { organizationId: ORG.contoso })).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'organization no longer listed; dropping its series',
        module: 'poller',
        server: 'sim',
        organizationName: 'Contoso',
      }),
    ]);

    h.simulator.data.addOrganization(contoso);
    await h.exporter.pollNow();
    text = await h.metricsText();
    for (const organizationId of SEED_ORGS) expectExported(text, h.simulator, organizationId);
  });

  it('a configured organization deleted on the server fails with 404 and keeps its last values', async () => {
    const h = await start({ server: { organizations: [ORG.contoso, ORG.fabrikam] } });
    const contoso = h.simulator.data.getOrganization(ORG.contoso);
    if (contoso === undefined) throw new Error('no Contoso');
    h.simulator.data.removeOrganization(ORG.contoso);
    await h.exporter.pollNow();
    let text = await h.metricsText();
    await expectHealthy(h.exporter.url);
    expect(requests(text, 'used_repositories', '404')).toBe(1);
    expect(pollSuccess(text, ORG.contoso)).toBe(0);
    expect(exportedRepositories(text, ORG.contoso)).toHaveLength(3);
    expectExported(text, h.simulator, ORG.fabrikam);
    const [failure] = logLines(h.logs.lines, ORG_POLL_FAILED, { organizationId: ORG.contoso });
    expect(String(failure?.['reason'])).toContain('HTTP 404');

    h.simulator.data.addOrganization(contoso);
    await h.exporter.pollNow();
    text = await h.metricsText();
    expectExported(text, h.simulator, ORG.contoso);
  });
});
