/**
 * The whole /metrics body for a fixed scenario (the simulator's seed, API v8) against a reviewed golden
 * file; promtool's verdict on the same output is in test/integration/golden-promtool.test.ts.
 * `UPDATE_GOLDEN=1 npm test` rewrites the golden file; review the diff before committing it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../support/exposition-parser.js';
import { startHarness, type Harness } from '../support/harness.js';

const GOLDEN = join(import.meta.dirname, '..', 'fixtures', 'golden', 'seed-v8.prom');

/** Keeps the exporter's own families, with values that change from run to run replaced by a marker. */
function normalize(text: string): string {
  const lines = text
    .split('\n')
    .filter((line) => /^(# (HELP|TYPE) )?veeam_vb365_/.test(line))
    .map((line) =>
      line
        .replace(
          /^(veeam_vb365_(?:organization_last_success_timestamp_seconds|backup_repositories_last_success_timestamp_seconds|poll_cycle_duration_seconds|license_expiry_timestamp_seconds|license_grace_period_expiry_timestamp_seconds|organization_last_backup_timestamp_seconds|job_last_run_timestamp_seconds|job_next_run_timestamp_seconds|job_last_backup_timestamp_seconds)\{.*\}|veeam_vb365_exporter_config_last_reload_success_timestamp_seconds) .*$/,
          '$1 <varies>',
        )
        .replace(/node_version="[^"]*"/, 'node_version="<varies>"'),
    );
  return `${sortedWithinFamilies(lines).join('\n')}\n`;
}

/**
 * prom-client writes a counter's label sets in the order they were first counted, and the requests of a
 * cycle (listings, licence, health) run side by side: the order of the samples within a family is no part
 * of the contract, their set and values are. Samples are sorted within each family, HELP and TYPE stay.
 */
function sortedWithinFamilies(lines: readonly string[]): string[] {
  const sorted: string[] = [];
  let samples: string[] = [];
  const flush = (): void => {
    sorted.push(...samples.sort());
    samples = [];
  };
  for (const line of lines) {
    if (!line.startsWith('#')) samples.push(line);
    else {
      flush();
      sorted.push(line);
    }
  }
  flush();
  return sorted;
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
});
