/**
 * Fault matrix, part 2: tokens. Revocation in the middle of a busy cycle, a refused refresh token, a
 * password that stopped working (with the login back-off measured to the millisecond on the fake clock),
 * a token answer of the wrong shape. Against the bundled simulator over real TLS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_ORGANIZATION_IDS as ORG } from 'vb365-simulator';
import {
  LISTING_FAILED,
  SEED_ORGS,
  count,
  expectExported,
  expectHealthy,
  logLines,
  requests,
  up,
} from '../support/fault-checks.js';
import {
  fakeClockSkippingRetries,
  samples,
  startHarness,
  waitFor,
  type Harness,
  type HarnessOptions,
} from '../support/harness.js';
import { FRESH_TOKEN_MS } from '../../src/vb365/auth.js';
import type { FakeClock } from '../support/fake-clock.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const DAY = 86_400;

async function start(options: HarnessOptions & { clock?: FakeClock }): Promise<Harness> {
  harness = await startHarness({ ...options, server: { pollIntervalSeconds: DAY, ...options.server } });
  return harness;
}

/** Login back-off after the n-th consecutive failure with random() = 0.5: 0.75 of min(5 min, 5 s * 2^(n-1)). */
const loginBackoffMs = (failures: number): number => 0.75 * Math.min(300_000, 5_000 * 2 ** (failures - 1));

describe('token revoked in the middle of a cycle', () => {
  it('logs in exactly once more, retries every refused request, and every organization succeeds', async () => {
    const clock = fakeClockSkippingRetries();
    const h = await start({
      clock,
      simulator: { organizationCount: 200, latencyMs: 20 },
      server: { pollConcurrency: 16 },
    });
    const { simulator, exporter, logs } = h;
    const metricsText = (): Promise<string> => h.metricsText();
    const organizations = SEED_ORGS.length + 200;
    const before = await metricsText();
    simulator.resetStats();
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked

    const cycle = exporter.pollNow();
    await waitFor(() => simulator.stats.byRoute.used_repositories >= 60, 20_000);
    simulator.revokeAllTokens();
    await cycle;

    const text = await metricsText();
    await expectHealthy(exporter.url);
    // The revoked refresh token is refused once, then one password login serves every waiting request.
    expect(simulator.stats.tokenGrants).toEqual({ password: 1, refresh_token: 0, failed: 1 });
    const refused = requests(text, 'used_repositories', '401') - requests(before, 'used_repositories', '401');
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(16 + 1); // only those in flight at the revocation
    // Every refused request was sent again, once.
    expect(simulator.stats.byRoute.used_repositories).toBe(organizations + refused);
    expect(requests(text, 'used_repositories', '200') - requests(before, 'used_repositories', '200')).toBe(
      organizations,
    );
    const success = samples(text, 'veeam_vb365_organization_poll_success');
    expect(success).toHaveLength(organizations);
    expect(success.every((sample) => sample.value === 1)).toBe(true);
    expect(up(text)).toBe(1);
    expect(simulator.stats.maxInFlight).toBeLessThanOrEqual(16);
    expect(logLines(logs.lines, 'refresh token refused; logging in with the password')).toHaveLength(1);
  });
});

describe('refresh token refused', () => {
  it('falls back to the password grant', async () => {
    const clock = fakeClockSkippingRetries();
    const h = await start({ clock });
    const { simulator, exporter, logs } = h;
    const metricsText = (): Promise<string> => h.metricsText();
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked
    simulator.revokeAllTokens();
    simulator.resetStats();
    await clock.advance(3_600_000); // the token's lifetime: the exporter renews it with the (revoked) refresh token

    await exporter.pollNow();
    const text = await metricsText();
    await expectHealthy(exporter.url);
    expect(simulator.stats.tokenGrants).toEqual({ password: 1, refresh_token: 0, failed: 1 });
    expect(requests(text, 'token', '400')).toBe(1);
    expect(requests(text, 'token', '200')).toBe(2);
    expect(up(text)).toBe(1);
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
    const [line] = logLines(logs.lines, 'refresh token refused; logging in with the password');
    expect(String(line?.['reason'])).toContain('HTTP 400');
  });
});

describe('wrong password', () => {
  const password = 'Corr3ct-Horse-Qx7-until-rotated';

  it('says up 0, backs logins off exponentially up to the cap, never logs the password, and recovers', async () => {
    const clock = fakeClockSkippingRetries();
    const h = await start({ clock, simulator: { password } });
    const { simulator, exporter, logs } = h;
    const metricsText = (): Promise<string> => h.metricsText();
    simulator.setPassword('rotated-on-the-server');
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked
    simulator.revokeAllTokens();
    simulator.resetStats();

    await exporter.pollNow();
    let text = await metricsText();
    await expectHealthy(exporter.url);
    expect(up(text)).toBe(0);
    expect(simulator.stats.tokenGrants).toEqual({ password: 0, refresh_token: 0, failed: 2 }); // refresh, then password
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId, 0); // last values kept
    expect(String(logLines(logs.lines, LISTING_FAILED).at(-1)?.['reason'])).toContain('HTTP 400');

    const announced: number[] = [];
    for (let failures = 1; failures <= 8; failures++) {
      const lines = logLines(logs.lines, 'login failed');
      expect(lines).toHaveLength(failures);
      expect(lines.at(-1)?.['consecutiveFailures']).toBe(failures);
      announced.push(Number(lines.at(-1)?.['retryInSeconds']));
      const wait = loginBackoffMs(failures);
      const failedGrants = simulator.stats.tokenGrants.failed;
      // 1 ms before the back-off ends: no login is tried.
      await clock.advance(wait - 1);
      await exporter.pollNow();
      expect(simulator.stats.tokenGrants.failed).toBe(failedGrants);
      // When it ends: one login, refused again.
      await clock.advance(1);
      await exporter.pollNow();
      expect(simulator.stats.tokenGrants.failed).toBe(failedGrants + 1);
    }
    expect(announced).toEqual([4, 8, 15, 30, 60, 120, 225, 225]);
    text = await metricsText();
    expect(up(text)).toBe(0);
    expect(simulator.stats.tokenGrants.password).toBe(0);
    // Only the logins the back-off allowed reached the server: 2 in the first cycle, then one per allowed attempt.
    expect(simulator.stats.byRoute.token).toBe(2 + 8);

    const everything = [logs.raw.join('\n'), text, await (await fetch(`${exporter.url}/`)).text()].join('\n');
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(encodeURIComponent(password));

    simulator.setPassword(password);
    await clock.advance(300_000);
    await exporter.pollNow();
    text = await metricsText();
    expect(up(text)).toBe(1);
    expect(simulator.stats.tokenGrants.password).toBe(1);
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
  });

  it('counts a login skipped by the back-off as api_requests_total{code="login_backoff"} (README)', async () => {
    const clock = fakeClockSkippingRetries();
    const h = await start({ clock });
    const { simulator, exporter, logs } = h;
    const metricsText = (): Promise<string> => h.metricsText();
    simulator.setPassword('rotated-on-the-server');
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked
    simulator.revokeAllTokens();
    await exporter.pollNow(); // the login fails and is backed off
    await exporter.pollNow(); // within the back-off: no login is tried
    const text = await metricsText();
    await expectHealthy(exporter.url);
    expect(simulator.stats.tokenGrants.failed).toBe(2);
    expect(up(text)).toBe(0);
    expect(String(logLines(logs.lines, LISTING_FAILED).at(-1)?.['reason'])).toMatch(/next attempt in \d+ s/);
    // Whichever endpoint label the skipped login is counted under (token, or the listing that needed it).
    const skipped = samples(text, 'veeam_vb365_api_requests_total').filter(
      (sample) => sample.labels['code'] === 'login_backoff',
    );
    expect(skipped.reduce((sum, sample) => sum + sample.value, 0)).toBeGreaterThanOrEqual(1);
  });
});

describe('token answer of the wrong shape', () => {
  it('says up 0, counts the answer as invalid, and recovers', async () => {
    const clock = fakeClockSkippingRetries();
    const h = await start({ clock });
    const { simulator, exporter, logs } = h;
    const metricsText = (): Promise<string> => h.metricsText();
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked
    simulator.revokeAllTokens();
    simulator.addFault({ route: 'token', body: '{"token_type":"bearer","expires_in":3600}' });
    await exporter.pollNow();
    let text = await metricsText();
    await expectHealthy(exporter.url);
    expect(up(text)).toBe(0);
    expectExported(text, simulator, ORG.contoso, 0);
    expect(String(logLines(logs.lines, 'login failed').at(-1)?.['reason'])).toContain('lacks access_token');
    expect(count(text, 'veeam_vb365_invalid_answers_total', { endpoint: 'token' })).toBeGreaterThanOrEqual(1);

    simulator.clearFaults();
    await clock.advance(600_000);
    await exporter.pollNow();
    text = await metricsText();
    expect(up(text)).toBe(1);
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
  });
});
