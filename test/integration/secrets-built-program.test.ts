/**
 * Secret hygiene of the built program (`node dist/main.js`) reading VB365_PASSWORD_FILE, at LOG_LEVEL
 * debug, through 401s, a refused refresh token, timeouts, malformed answers and a wrong password: neither
 * the password nor any token appears in its output or in any answer of its endpoints.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_ORGANIZATION_IDS as ORG, startSimulator, type Simulator } from 'vb365-simulator';
import { ORG_POLL_FAILED, SEED_ORGS, up } from '../support/fault-checks.js';
import { waitFor } from '../support/harness.js';
import { PASSWORD, endpoints, leaks, tokenRecorder } from '../support/secret-checks.js';

const ROOT = join(import.meta.dirname, '..', '..');

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
      expect(lines().some((line) => line['level'] === 'debug')).toBe(true); // debug lines were written
      expect(tokens.issued.length).toBeGreaterThanOrEqual(4);
      const texts: Array<[string, string]> = [['stdout', stdout], ['stderr', stderr], ...seen];
      expect(leaks(texts, [PASSWORD, ...tokens.issued])).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
