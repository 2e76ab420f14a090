/**
 * Secret hygiene: with a distinctive password and distinctive tokens issued by the simulator, and
 * cycles full of failures (401s, a refused refresh token, a wrong password, timeouts, malformed
 * answers) at LOG_LEVEL debug, neither the password nor any token, plain, URL-encoded or base64, shows
 * up in a log line, an HTTP answer of the exporter (body or header), or an error kept in the store.
 * Checked in-process and on the built program (`node dist/main.js`) reading VB365_PASSWORD_FILE.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_ORGANIZATION_IDS as ORG, startSimulator, type Simulator } from 'vb365-simulator';
import { ORG_POLL_FAILED, SEED_ORGS, cutAtDeadline, logLines, up } from './support/fault-checks.js';
import { fakeClockSkippingRetries, startHarness, waitFor, type Harness } from './support/harness.js';

const PASSWORD = 'Pa55-SECRET-c0rn/+ &=%';
const ROOT = join(import.meta.dirname, '..');
/** In-process, the hung answer is cut on the fake clock; undici's own timers (real) never get that far. */
const TIMEOUT_SECONDS = 30;

/** Tokens the simulator issues: distinctive, unique, recorded so the test knows every one of them. */
function tokenRecorder(): { issued: string[]; factory: (kind: 'access' | 'refresh', sequence: number) => string } {
  const issued: string[] = [];
  return {
    issued,
    factory: (kind, sequence) => {
      const token = `${kind}-T0KEN-${sequence}-${randomBytes(12).toString('hex')}`;
      issued.push(token);
      return token;
    },
  };
}

/** Every form a secret could take in text: as is, URL-encoded (both ways), base64 (both alphabets), in a Basic header. */
function forms(secret: string): string[] {
  const base64 = Buffer.from(secret).toString('base64');
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ x: secret }).toString().slice(2),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(secret).toString('base64url'),
    Buffer.from(`admin:${secret}`).toString('base64'),
  ];
}

/** Where any form of any secret (or its distinctive core) appears. */
function leaks(texts: ReadonlyArray<readonly [where: string, text: string]>, secrets: readonly string[]): string[] {
  const needles = [...new Set([...secrets.flatMap(forms), 'SECRET-c0rn', 'T0KEN'])];
  const found: string[] = [];
  for (const [where, text] of texts) {
    for (const needle of needles) if (text.includes(needle)) found.push(`${where} contains ${JSON.stringify(needle)}`);
  }
  return found;
}

/** Status, headers and body of every endpoint of the exporter, as text. */
async function endpoints(url: string): Promise<Array<[string, string]>> {
  const answers: Array<[string, string]> = [];
  for (const path of ['/', '/metrics', '/healthz', '/readyz', '/no-such-page']) {
    for (const headers of [{}, { 'accept-encoding': 'identity' }]) {
      const response = await fetch(`${url}${path}`, { headers });
      answers.push([
        `GET ${path}`,
        `${response.status}\n${JSON.stringify([...response.headers])}\n${await response.text()}`,
      ]);
    }
  }
  return answers;
}

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
    simulator.revokeAllTokens();
    await exporter.pollNow();
    await snapshot('revoked');
    // A route that keeps answering 401: one new login (with the refresh token), then the organization fails.
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
    expect(logs.lines.some((line) => line['level'] === 20)).toBe(true);
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
    harness = await startHarness({
      clock: fakeClockSkippingRetries(),
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

describe('the built program', () => {
  const main = join(ROOT, 'dist', 'main.js');
  let directory: string | undefined;
  let simulator: Simulator | undefined;
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    directory = undefined;
  });

  it('reads the password from VB365_PASSWORD_FILE and never prints it or a token, through failures, until SIGTERM', async () => {
    expect(existsSync(main), `${main} is missing: run npm run build`).toBe(true);
    const tokens = tokenRecorder();
    simulator = await startSimulator({ password: PASSWORD, tokenFactory: tokens.factory });
    const sim = simulator;
    directory = mkdtempSync(join(tmpdir(), 'vb365-secrets-'));
    const passwordFile = join(directory, 'password');
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 }); // a trailing newline, as secret files have
    const caFile = join(directory, 'ca.pem');
    writeFileSync(caFile, sim.ca ?? '');

    const child = spawn(process.execPath, [main], {
      cwd: directory,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        VB365_URL: sim.url,
        VB365_USERNAME: sim.username,
        VB365_PASSWORD_FILE: passwordFile,
        VB365_CA_FILE: caFile,
        VB365_API_VERSION: 'v8',
        VB365_SERVER_NAME: 'sim',
        VB365_LISTEN_ADDRESS: '127.0.0.1:0',
        VB365_POLL_INTERVAL: '1',
        VB365_REQUEST_TIMEOUT: '1',
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = (): Array<Record<string, unknown>> =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const cyclesFinished = (): number => lines().filter((line) => line['msg'] === 'poll cycle finished').length;
    const nextCycle = async (): Promise<void> => {
      const done = cyclesFinished();
      await waitFor(() => cyclesFinished() > done, 20_000);
    };

    try {
      await waitFor(() => lines().some((line) => line['msg'] === 'listening'), 15_000);
      const address = String(lines().find((line) => line['msg'] === 'listening')?.['address']);
      const url = `http://${address}`;
      await waitFor(() => cyclesFinished() >= 1, 15_000);
      const seen: Array<[string, string]> = [];
      const snapshot = async (step: string): Promise<void> => {
        for (const [where, text] of await endpoints(url)) seen.push([`${step}: ${where}`, text]);
      };

      // The password from the file (trailing newline dropped) logs in: up 1, every organization polled.
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(up(metrics)).toBe(1);
      expect(sim.stats.tokenGrants.password).toBeGreaterThanOrEqual(1);
      for (const organizationId of SEED_ORGS)
        expect(metrics).toContain(
          `veeam_vb365_organization_poll_success{server="sim",organization_id="${organizationId}"} 1`,
        );
      await snapshot('up');

      sim.revokeAllTokens(); // 401s, a refused refresh token, a new password login
      await nextCycle();
      sim.addFault({ route: 'used_repositories', organizationId: ORG.contoso, hang: true }); // timeouts
      sim.addFault({ route: 'used_repositories', organizationId: ORG.fabrikam, body: 'not json' });
      // Until a cycle has finished after logging both failures (so they are in the store too).
      const failedAt = (all: Array<Record<string, unknown>>, organizationId: string, reason: string): number =>
        all.findIndex(
          (line) =>
            line['msg'] === ORG_POLL_FAILED &&
            line['organizationId'] === organizationId &&
            String(line['reason']).includes(reason),
        );
      await waitFor(() => {
        const all = lines();
        const last = Math.max(
          failedAt(all, ORG.contoso, 'no complete answer'),
          failedAt(all, ORG.fabrikam, 'not valid JSON'),
        );
        return (
          failedAt(all, ORG.contoso, 'no complete answer') >= 0 &&
          failedAt(all, ORG.fabrikam, 'not valid JSON') >= 0 &&
          all.slice(last).some((line) => line['msg'] === 'poll cycle finished')
        );
      }, 20_000);
      await snapshot('failing organizations');
      sim.clearFaults();
      sim.setPassword('changed-on-the-server');
      sim.revokeAllTokens();
      await waitFor(() => lines().some((line) => line['msg'] === 'login failed'), 20_000);
      await nextCycle();
      await snapshot('wrong password');
      expect(up(await (await fetch(`${url}/metrics`)).text())).toBe(0);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(lines().some((line) => line['msg'] === 'stopped')).toBe(true);
      expect(lines().some((line) => line['level'] === 20)).toBe(true); // debug lines were written
      expect(tokens.issued.length).toBeGreaterThanOrEqual(4);
      const texts: Array<[string, string]> = [['stdout', stdout], ['stderr', stderr], ...seen];
      expect(leaks(texts, [PASSWORD, ...tokens.issued])).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
