/**
 * Hostile servers, part 1: names. Organizations and repositories named with quotes, backslashes, newlines,
 * `<script>`, ampersands and 5,000 characters (test/support/hostile-names.ts), set in the simulator's data:
 * /metrics carries every one exactly (read back with the strict exposition parser, compared to the input
 * character for character), and the status page shows the organization names as text, never as markup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_ORGANIZATION_IDS as ORG } from 'vb365-simulator';
import { HOSTILE_NAMES, HOSTILE_ORGANIZATIONS, LONG_NAME, addHostileOrganizations } from '../support/hostile-names.js';
import { expectExported, pollSuccess } from '../support/fault-checks.js';
import { SCRIPT } from '../../src/http/status/assets.js';
import { samples, startHarness, type Harness } from '../support/harness.js';
import { decodeHtml } from '../support/html-text.js';

/** Test titles name each case by its organization name, shortened, newlines shown as \n. */
const CASES = HOSTILE_ORGANIZATIONS.map((organization) => ({
  ...organization,
  label: JSON.stringify(organization.name.slice(0, 40)).slice(1, -1) + (organization.name.length > 40 ? '...' : ''),
}));

const ERROR_TEXT = '<script>alert("error")</script> & <img src=x onerror=alert(2)>';

let harness: Harness;
let metrics: string;
let page: string;

beforeAll(async () => {
  harness = await startHarness();
  addHostileOrganizations(harness.simulator);
  // A server's error text reaches the page too (as the organization's last error).
  harness.simulator.addFault({
    route: 'used_repositories',
    organizationId: ORG.fabrikam,
    status: 500,
    transformBody: () => JSON.stringify({ message: ERROR_TEXT }),
  });
  await harness.exporter.pollNow();
  metrics = await harness.metricsText();
  const response = await fetch(`${harness.exporter.url}/`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const html = await response.text();
  // The page's own script, exactly as the exporter ships it (its CSP hash allows it): all else is checked below.
  expect(html).toContain(`<script>${SCRIPT}</script>`);
  page = html.replace(`<script>${SCRIPT}</script>`, '');
});

afterAll(async () => {
  await harness.close();
});

it('the fixture holds every hostile character, and a name of 5,000 characters', () => {
  const all = HOSTILE_NAMES.join('');
  for (const character of ['"', '\\', '\n', '<', '>', '&', "'"]) expect(all).toContain(character);
  expect(HOSTILE_NAMES).toContain('<script>alert(1)</script>');
  expect(LONG_NAME).toHaveLength(5000);
});

describe('/metrics', () => {
  it.each(CASES)(
    'carries the organization named $label: its name, its repository name and the details exactly',
    (organization) => {
      const info = samples(metrics, 'veeam_vb365_repository_info').filter(
        (sample) =>
          sample.labels['organization_id'] === organization.id &&
          sample.labels['repository_id'] === organization.repositoryId,
      );
      expect(info).toHaveLength(1);
      expect(info[0]?.labels).toEqual({
        server: 'sim',
        organization_id: organization.id,
        repository_id: organization.repositoryId,
        organization_name: organization.name,
        repository_name: organization.repositoryName,
        details: organization.details,
      });
      expect(info[0]?.value).toBe(1);
      expectExported(metrics, harness.simulator, organization.id);
    },
  );

  it('escapes only backslash, quote and newline, as the text format says', () => {
    // The 5,000-character name as it stands in the exposition text, quotes around it.
    const escaped = LONG_NAME.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
    expect(metrics).toContain(`organization_name="${escaped}"`);
    expect(metrics).toContain('organization_name="<script>alert(1)</script>"');
    expect(metrics).toContain('organization_name="C:\\\\Backups\\\\"');
    expect(metrics).toContain('organization_name="back\\\\nslash (a backslash and an n, not a newline)"');
  });

  it('leaves the seed organizations as they are (the failing one with its last values)', () => {
    for (const id of Object.values(ORG)) expectExported(metrics, harness.simulator, id, id === ORG.fabrikam ? 0 : 1);
  });
});

describe('the status page', () => {
  it('holds no markup from a name or an error: no script or img element, every < and & of a name escaped', () => {
    expect(page.toLowerCase()).not.toContain('<script');
    expect(page.toLowerCase()).not.toContain('</script');
    expect(page.toLowerCase()).not.toContain('<img');
    expect(page).not.toContain('<&>');
    // Every & in the page starts a character reference, so none came raw from a name.
    expect(page.match(/&(?!#\d+;|#x[0-9a-f]+;|[a-z]+;)/gi)).toBeNull();
  });

  it.each(CASES)('shows the name $label as text, exactly', (organization) => {
    expect(pollSuccess(metrics, organization.id)).toBe(1);
    // The text between tags, decoded as a browser would: one piece is the name, character for character.
    const texts = page.split(/<[^>]*>/).map(decodeHtml);
    expect(texts).toContain(organization.name);
  });

  it.each([
    ['the script name', '<script>alert(1)</script>'],
    ["a server's error text", `used_repositories answered HTTP 500: ${ERROR_TEXT}`],
  ])('escapes %s', (_what, text) => {
    // Once in the organization's row; an error also heads its group in the problems.
    const shown = page.split(/<[^>]*>/).filter((piece) => decodeHtml(piece) === text);
    expect(shown.length).toBeGreaterThanOrEqual(1);
    for (const piece of shown) expect(piece).not.toMatch(/[<>]/);
  });
});
