/**
 * `npm run demo`, as the README tells a new user to run it: it serves the status page and metrics, and
 * stopping it through its npm process (what Ctrl+C in some terminals, a CI job or a process manager
 * does) stops it entirely: nothing is left holding the port.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEED_JOB_IDS as JOB, SEED_ORGANIZATION_IDS as ORG, SEED_PROXY_IDS as PROXY } from 'vb365-simulator';
import { freePort } from '../support/fault-checks.js';
import { sampleValue, waitFor } from '../support/harness.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Processes whose command line runs this repository's demo script. */
function demoProcesses(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const cwd = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (command.some((part) => part.endsWith('scripts/demo.mjs')) && cwd.includes(`DEMO_TEST_PORT=`)) {
        found.push(Number(entry));
      }
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm run demo', () => {
  it('serves the demo, and SIGTERM to npm stops it with nothing left on the port', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['run', 'demo'], {
      cwd: repoRoot,
      env: { ...process.env, VB365_LISTEN_ADDRESS: `127.0.0.1:${port}`, DEMO_TEST_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    try {
      await waitFor(() => output.includes('demo is running'), 60_000);
      for (let tries = 0; (await fetch(`http://127.0.0.1:${port}/readyz`)).status !== 200; tries++) {
        if (tries > 100) throw new Error('the demo never became ready');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Tailwind Branch Office'); // the seed's unavailable repository, as a problem
      // Are the backups happening? The seed's failed job, the organization last backed up 27 h ago and the
      // offline proxy: problem rows on the page, and in /metrics.
      const html = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      for (const kind of ['jobs-failed', 'organizations-not-backed-up', 'proxy-offline'])
        expect(html).toContain(`<tr class="problem" data-kind="${kind}">`);
      expect(html).toContain(`<tr data-job-id="${JOB.fabrikamFailed}"><td>Fabrikam Daily</td>`);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const server = { server: 'simulator' };
      expect(
        sampleValue(metrics, 'veeam_vb365_job_last_status', {
          ...server,
          job_id: JOB.fabrikamFailed,
          status: 'Failed',
        }),
      ).toBe(1);
      const fabrikamLastBackup = sampleValue(metrics, 'veeam_vb365_organization_last_backup_timestamp_seconds', {
        ...server,
        organization_id: ORG.fabrikam,
      });
      expect(Date.now() / 1000 - (fabrikamLastBackup ?? Infinity)).toBeGreaterThan(24 * 3600);
      expect(sampleValue(metrics, 'veeam_vb365_proxy_online', { ...server, proxy_id: PROXY.branchOffice })).toBe(0);
      expect(demoProcesses()).toHaveLength(1);

      npm.kill('SIGTERM');
      await exited;
      await waitFor(() => demoProcesses().length === 0, 5_000);
      expect(await accepts(port)).toBe(false);
    } finally {
      for (const pid of demoProcesses()) process.kill(pid, 'SIGKILL');
      if (npm.exitCode === null) npm.kill('SIGKILL');
    }
  }, 90_000);
});
