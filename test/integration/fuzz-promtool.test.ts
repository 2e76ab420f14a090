/** promtool's verdict on one large exposition made of fuzzed scenarios (the properties are in test/unit/fuzz.test.ts). */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderExposition } from '../support/render.js';
import type { ServerState } from '../../src/store/types.js';
import { configured, runScenario, samplesOf, scenario, useFuzzWorld } from '../support/fuzz-world.js';
import { requireTool } from '../support/tools.js';

useFuzzWorld();

describe('a large fuzzed exposition', () => {
  it('passes promtool check metrics', async () => {
    const promtool = requireTool('promtool', 'prometheus');
    const inputs = fc.sample(scenario, { numRuns: 40, seed: 365 });
    const states: ServerState[] = [];
    for (const [index, input] of inputs.entries()) {
      const { state } = await runScenario({ ...input, serverName: `${index}:${input.serverName}` });
      states.push(state);
    }
    const body = renderExposition(states, configured(...states));
    expect(samplesOf(body).length).toBeGreaterThan(100);
    expect(body).toContain('\\"'); // the nasty names really are in there
    // promtool exits non-zero on any format error (and prints lint findings); it reads stdin.
    const output = execFileSync(promtool, ['check', 'metrics'], { input: body, encoding: 'utf8', stdio: 'pipe' });
    expect(output).toBe('');
  });
});
