/** promtool's verdict on the exporter's real /metrics for the golden scenario (the simulator's seed, API v8). */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { requireTool } from '../support/tools.js';

describe('promtool check metrics on /metrics', () => {
  let harness: Harness;
  let text: string;
  beforeAll(async () => {
    harness = await startHarness({ server: { apiVersion: 'v8' } });
    text = await harness.metricsText();
  });
  afterAll(() => harness.close());

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
