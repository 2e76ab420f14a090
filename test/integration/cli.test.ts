/** The built program as users run it: flags, fail-fast configuration errors, and a clean stop on SIGTERM. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'vb365-simulator';
import { waitFor } from '../support/harness.js';

const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'main.js');
const cleanEnv = { PATH: process.env['PATH'] ?? '' };

function run(
  args: string[],
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string; ms: number } {
  const started = Date.now();
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    env: { ...cleanEnv, ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started };
}

describe('command line', () => {
  it('prints help and version', () => {
    const help = run(['--help'], {});
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: vb365-exporter');
    for (const flag of [
      '--config.file',
      '--web.listen-address',
      '--web.telemetry-path',
      '--web.config.file',
      '--log.level',
      '--log.format',
      '--config.check',
    ])
      expect(help.stdout).toContain(flag);
    const version = run(['--version'], {});
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^vb365-exporter \d+\.\d+\.\d+\n$/);
  });

  it('fails fast with one line naming the setting', () => {
    const result = run([], {
      VB365_URL: 'https://vb365:4443',
      VB365_USERNAME: 'u',
      VB365_PASSWORD: 'p',
      VB365_POLL_INTERVAL: 'often',
    });
    expect(result.status).toBe(2);
    expect(result.ms).toBeLessThan(1_000);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'vb365-exporter: invalid configuration: VB365_POLL_INTERVAL: expected a duration such as 30s, 5m or 1h30m (or whole seconds) from 1s to 1d, got "often"\n',
    );
  });

  it('validates with --config.check and refuses an unknown flag in one line', () => {
    const env = { VB365_URL: 'https://vb365:4443', VB365_USERNAME: 'u', VB365_PASSWORD: 'p' };
    const check = run(['--config.check', '--web.listen-address=:9100', '--web.listen-address', '127.0.0.1:9101'], env);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/^configuration OK \(environment\): .*; listening on :9100, 127\.0\.0\.1:9101\n$/);
    const unknown = run(['--web.listen_address=:9100'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(
      'vb365-exporter: invalid configuration: command line: expected one of the flags listed by --help, got --web.listen_address\n',
    );
  });

  it('fails fast when nothing is configured', () => {
    const result = run([], {});
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('VB365_URL');
  });

  it('names the listen address in one line when it cannot listen', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const result = run([], {
        VB365_URL: 'https://vb365:4443',
        VB365_USERNAME: 'u',
        VB365_PASSWORD: 'p',
        VB365_LISTEN_ADDRESS: `127.0.0.1:${port}`,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(
        `vb365-exporter: invalid configuration: VB365_LISTEN_ADDRESS: expected an address this host can listen on, got 127.0.0.1:${port} (EADDRINUSE)\n`,
      );
      const fromFlag = run([`--web.listen-address=127.0.0.1:${port}`], {
        VB365_URL: 'https://vb365:4443',
        VB365_USERNAME: 'u',
        VB365_PASSWORD: 'p',
      });
      expect(fromFlag.stderr).toBe(
        `vb365-exporter: invalid configuration: --web.listen-address: expected an address this host can listen on, got 127.0.0.1:${port} (EADDRINUSE)\n`,
      );
    } finally {
      taken.close();
    }
  });

  it('checks a configuration and exits', () => {
    const result = run(['--check-config'], {
      VB365_URL: 'https://vb365:4443',
      VB365_USERNAME: 'u',
      VB365_PASSWORD: 'top-secret-pw',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('configuration OK (environment): 1 server(s): vb365:4443 https://vb365:4443 auto;');
    expect(result.stdout).not.toContain('top-secret-pw');
  });
});

describe('running process', () => {
  let simulator: Simulator;
  let caFile: string;
  beforeAll(async () => {
    simulator = await startSimulator({ latencyMs: 10 });
    caFile = join(mkdtempSync(join(tmpdir(), 'vb365-cli-')), 'ca.pem');
    writeFileSync(caFile, simulator.ca ?? '');
  });
  afterAll(() => simulator.close());

  it('serves metrics and stops on SIGTERM within 5 s, even with a request hanging', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...cleanEnv,
        VB365_URL: simulator.url,
        VB365_USERNAME: simulator.username,
        VB365_PASSWORD: simulator.password,
        VB365_CA_FILE: caFile,
        VB365_API_VERSION: 'v8',
        VB365_POLL_INTERVAL: '1',
        VB365_LISTEN_ADDRESS: `127.0.0.1:${port}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes('poll cycle finished'), 10_000);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('veeam_vb365_up{server="127.0.0.1:');
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

      // The next cycle hangs on a request; SIGTERM must still end the process promptly and cleanly.
      simulator.addFault({ route: 'organizations', hang: true });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const stopAt = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(5_000);
      expect(output).toContain('"msg":"stopped"');
    } finally {
      child.kill('SIGKILL');
      simulator.clearFaults();
    }
  });

  it('reloads on SIGHUP (a server added, then an invalid file refused) and keeps running', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const dir = mkdtempSync(join(tmpdir(), 'vb365-cli-hup-'));
    const configFile = join(dir, 'config.yml');
    const server = (name: string, extra = ''): string =>
      `  - name: ${name}\n    url: ${simulator.url}\n    api_version: v8\n    username: ${simulator.username}\n    password: ${simulator.password}\n    ca_file: ${caFile}\n    poll_interval: 1h\n${extra}`;
    writeFileSync(configFile, `listen_address: 127.0.0.1:${port}\nservers:\n${server('first')}`);
    const child = spawn(process.execPath, [MAIN, '--config.file', configFile], {
      env: cleanEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    try {
      await waitFor(() => output.includes('poll cycle finished'), 10_000);
      writeFileSync(configFile, `listen_address: 127.0.0.1:${port}\nservers:\n${server('first')}${server('second')}`);
      child.kill('SIGHUP');
      await waitFor(() => output.includes('"msg":"configuration reloaded"'), 10_000);
      await waitFor(() => output.split('"msg":"poll cycle finished"').length === 3, 10_000);
      const reloaded = await metrics();
      expect(reloaded).toContain('veeam_vb365_up{server="first"} 1');
      expect(reloaded).toContain('veeam_vb365_up{server="second"} 1');
      expect(reloaded).toContain('veeam_vb365_exporter_config_last_reload_successful 1');

      writeFileSync(
        configFile,
        `listen_address: 127.0.0.1:${port}\nservers:\n${server('first', '    poll_interval: often\n')}`,
      );
      child.kill('SIGHUP');
      await waitFor(() => output.includes('configuration reload refused'), 10_000);
      const refused = await metrics();
      expect(refused).toContain('veeam_vb365_exporter_config_last_reload_successful 0');
      expect(refused).toContain('veeam_vb365_up{server="second"} 1');
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
