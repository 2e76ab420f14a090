/**
 * Secret hygiene: with a distinctive password and distinctive tokens issued by the simulator, and
 * cycles full of failures (401s, a refused refresh token, a wrong password, timeouts, malformed
 * answers) at LOG_LEVEL debug, neither the password nor any token, plain, URL-encoded or base64, shows
 * up in a log line, an HTTP answer of the exporter (body or header), or an error kept in the store.
 * Checked in-process here, and on the built program in test/integration/secrets-built-program.test.ts.
 */
import { FRESH_TOKEN_MS } from '../../src/vb365/auth.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_ORGANIZATION_IDS as ORG } from 'vb365-simulator';
import { PASSWORD, endpoints, leaks, tokenRecorder } from '../support/secret-checks.js';
import { ORG_POLL_FAILED, cutAtDeadline, logLines, up } from '../support/fault-checks.js';
import { fakeClockSkippingRetries, startHarness, type Harness } from '../support/harness.js';

/** In-process, the hung answer is cut on the fake clock; undici's own timers (real) never get that far. */
const TIMEOUT_SECONDS = 30;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('in-process, LOG_LEVEL debug', () => {
  it('keeps the password and every token out of logs, HTTP answers and stored errors through many failures', async () => {
    const tokens = tokenRecorder();
    const clock = fakeClockSkippingRetries();
    harness = await startHarness({
      clock,
      simulator: { password: PASSWORD, tokenFactory: tokens.factory, organizationCount: 3 },
      server: { requestTimeoutSeconds: TIMEOUT_SECONDS, pollIntervalSeconds: 86_400 },
      config: { logLevel: 'debug' },
    });
    const { simulator, exporter, logs } = harness;
    const seen: Array<[string, string]> = [];
    const snapshot = async (step: string): Promise<void> => {
      for (const [where, text] of await endpoints(exporter.url)) seen.push([`${step}: ${where}`, text]);
      seen.push([
        `${step}: store`,
        JSON.stringify(exporter.store.servers(), (_key, value: unknown) => (value instanceof Map ? [...value] : value)),
      ]);
    };
    await snapshot('first cycle');

    // 401 on every route: the refresh token is refused too, then a password login.
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked
    simulator.revokeAllTokens();
    await exporter.pollNow();
    await snapshot('revoked');
    // A route that keeps answering 401: one new login (with the refresh token), then the organization fails.
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked
    simulator.addFault({ route: 'used_repositories', organizationId: ORG.litware, status: 401 });
    // A hung answer (timeouts), malformed JSON, the wrong shape.
    simulator.addFault({ route: 'used_repositories', organizationId: ORG.contoso, hang: true });
    simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.fabrikam,
      body: '{"results":[{"usedSpaceBytes":',
    });
    simulator.addFault({ route: 'used_repositories', organizationId: ORG.tailwind, body: '{"results":{}}' });
    const failing = exporter.pollNow();
    await cutAtDeadline(clock, simulator, TIMEOUT_SECONDS * 1000, 3);
    await failing;
    await snapshot('failing organizations');
    // The password changed on the server, and every token revoked: the login fails.
    simulator.setPassword('changed-on-the-server');
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked
    simulator.revokeAllTokens();
    await exporter.pollNow();
    await snapshot('wrong password');
    await exporter.pollNow(); // within the login back-off
    await snapshot('login back-off');

    simulator.clearFaults();
    simulator.setPassword(PASSWORD);
    await clock.advance(600_000);
    await exporter.pollNow();
    await snapshot('recovered');

    // The failures really happened, and were logged at debug level.
    expect(logLines(logs.lines, 'login failed').length).toBeGreaterThanOrEqual(1);
    expect(logLines(logs.lines, 'refresh token refused; logging in with the password').length).toBeGreaterThanOrEqual(
      1,
    );
    expect(logLines(logs.lines, 'retrying request').length).toBeGreaterThanOrEqual(2);
    expect(logLines(logs.lines, ORG_POLL_FAILED).length).toBeGreaterThanOrEqual(4);
    expect(logs.lines.some((line) => line['level'] === 'debug')).toBe(true);
    expect(
      seen.some(
        ([where, text]) =>
          where.includes('failing organizations: store') &&
          text.includes(`no complete answer within ${TIMEOUT_SECONDS} s`),
      ),
    ).toBe(true);
    expect(tokens.issued.length).toBeGreaterThanOrEqual(6);
    expect(up(await harness.metricsText())).toBe(1);

    const texts: Array<[string, string]> = [
      ...logs.raw.map((line, index): [string, string] => [`log line ${index}`, line]),
      ...seen,
    ];
    expect(leaks(texts, [PASSWORD, ...tokens.issued])).toEqual([]);
  });

  it('does not repeat credentials that a misbehaving server echoes in its error answers', async () => {
    const tokens = tokenRecorder();
    const clock = fakeClockSkippingRetries();
    harness = await startHarness({
      clock,
      simulator: { password: PASSWORD, tokenFactory: tokens.factory },
      server: { pollIntervalSeconds: 86_400 },
    });
    const { simulator, exporter, logs } = harness;
    // A proxy that quotes the request back: the bearer token in a 401, the login form in a 400.
    simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      status: 401,
      transformBody: (_body, request) =>
        JSON.stringify({ message: `Access denied for ${request.authorization ?? ''}` }),
    });
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked
    simulator.revokeAllTokens();
    simulator.addFault({
      route: 'token',
      times: 1,
      status: 400,
      transformBody: (_body, request) =>
        JSON.stringify({ error: 'invalid_grant', error_description: `Refused: ${request.body}` }),
    });
    await exporter.pollNow();
    const seen = await endpoints(exporter.url);
    seen.push([
      'store',
      JSON.stringify(exporter.store.servers(), (_key, value: unknown) => (value instanceof Map ? [...value] : value)),
    ]);
    // The echoes did reach the exporter: the refused refresh grant and the failed organization were logged.
    expect(logLines(logs.lines, 'refresh token refused; logging in with the password')).toHaveLength(1);
    expect(logLines(logs.lines, ORG_POLL_FAILED, { organizationId: ORG.contoso })).toHaveLength(1);
    const texts: Array<[string, string]> = [
      ...logs.raw.map((line, index): [string, string] => [`log line ${index}`, line]),
      ...seen,
    ];
    expect(leaks(texts, [PASSWORD, ...tokens.issued])).toEqual([]);
  });
});
