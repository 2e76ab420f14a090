/**
 * The whole /metrics body for a fixed scenario (the simulator's seed, API v8) against a reviewed
 * golden file, and promtool's verdict on the real output. `UPDATE_GOLDEN=1 npm test` rewrites the
 * golden file; review the diff before committing it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from './support/exposition-parser.js';
import { startHarness, type Harness } from './support/harness.js';
import { requireTool } from './support/tools.js';

const GOLDEN = join(import.meta.dirname, 'fixtures', 'golden', 'seed-v8.prom');

/** Keeps the exporter's own families, with values that change from run to run replaced by a marker. */
function normalize(text: string): string {
  return text
    .split('\n')
    .filter((line) => /^(# (HELP|TYPE) )?veeam_vb365_/.test(line))
    .map((line) =>
      line
        .replace(
          /^(veeam_vb365_(?:organization_last_success_timestamp_seconds|backup_repositories_last_success_timestamp_seconds|poll_cycle_duration_seconds)\{.*\}) .*$/,
          '$1 <varies>',
        )
        .replace(/node_version="[^"]*"/, 'node_version="<varies>"'),
    )
    .join('\n')
    .concat('\n');
}

describe('golden /metrics', () => {
  let harness: Harness;
  let text: string;
  beforeAll(async () => {
    harness = await startHarness({ server: { apiVersion: 'v8' } });
    text = await harness.metricsText();
  });
  afterAll(() => harness.close());

  it('matches the reviewed golden file', () => {
    const actual = normalize(text);
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(GOLDEN, actual);
    expect(actual).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('parses with the strict exposition parser, every family with HELP and TYPE', () => {
    const families = parseExposition(text);
    expect(families.filter((family) => family.name.startsWith('veeam_vb365_')).length).toBeGreaterThan(10);
    expect(families.filter((family) => family.help === undefined || family.type === undefined)).toEqual([]);
  });

  it('passes promtool check metrics', () => {
    const promtool = requireTool('promtool', 'prometheus');
    // promtool exits non-zero on format errors and on lint problems; it reads stdin.
    const output = execFileSync(promtool, ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    expect(output).toBe('');
  });

  it('promtool would catch a broken exposition (the check can fail)', () => {
    const promtool = requireTool('promtool', 'prometheus');
    const broken = `${text}veeam_vb365_up{server="x" 1\n`;
    expect(() =>
      execFileSync(promtool, ['check', 'metrics'], { input: broken, stdio: ['pipe', 'pipe', 'pipe'] }),
    ).toThrow();
  });
});
