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
import { freePort } from '../support/fault-checks.js';
import { waitFor } from '../support/harness.js';

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
