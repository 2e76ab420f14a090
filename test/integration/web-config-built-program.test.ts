/** The built program (`node dist/main.js`) with a web configuration: broken ones exit 2, --check-config, HTTPS with basic auth. */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from 'vb365-simulator';
import { waitFor } from '../support/harness.js';
import { ALICE, basic, createPki, get, type Pki } from '../support/web-fixtures.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'web-config');
const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'main.js');

let pki: Pki;
let hashes: { alice: string };
const agents: Agent[] = [];

beforeAll(async () => {
  pki = await createPki();
  hashes = { alice: bcrypt.hashSync(ALICE.password, 4) };
});

afterAll(async () => {
  await Promise.all(agents.map((created) => created.close()));
  rmSync(pki.dir, { recursive: true, force: true });
});

function writeWebConfig(name: string, yaml: string): string {
  const file = join(pki.dir, name);
  writeFileSync(file, yaml);
  return file;
}

function agent(connect: Record<string, unknown> = {}): Agent {
  const created = new Agent({ connect: { timeout: 5_000, ...connect } });
  agents.push(created);
  return created;
}

describe('built program', () => {
  const cleanEnv = {
    PATH: process.env['PATH'] ?? '',
    VB365_URL: 'https://vb365:4443',
    VB365_USERNAME: 'u',
    VB365_PASSWORD: 'vb365-Secret-pw',
  };

  it('exits 2 within a second with one line when the web config is broken', () => {
    const file = join(pki.dir, 'broken.yml');
    copyFileSync(join(FIXTURES, 'invalid-client-auth-type.yml'), file);
    const started = Date.now();
    const result = spawnSync(process.execPath, [MAIN], {
      env: { ...cleanEnv, VB365_WEB_CONFIG_FILE: file },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(2);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `vb365-exporter: invalid configuration: tls_server_config.client_auth_type (${file}): expected one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert, got "RequireClientCertificate"\n`,
    );
  });

  it('--check-config validates the web config too', () => {
    const file = writeWebConfig(
      'check.yml',
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  alice: ${hashes.alice}\n`,
    );
    const result = spawnSync(process.execPath, [MAIN, '--check-config', '--web.config.file', file], {
      env: cleanEnv,
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^configuration OK \(environment\): .* \(HTTPS, basic auth for 1 user\(s\)\)\n$/);
  });

  it('serves HTTPS with basic auth from --web.config.file', async () => {
    const simulator = await startSimulator();
    const caFile = join(pki.dir, 'simulator-ca.pem');
    writeFileSync(caFile, simulator.ca ?? '');
    const file = writeWebConfig(
      'program.yml',
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  alice: ${hashes.alice}\n`,
    );
    const child = spawn(process.execPath, [MAIN, '--web.config.file', file], {
      env: {
        PATH: cleanEnv.PATH,
        VB365_URL: simulator.url,
        VB365_USERNAME: simulator.username,
        VB365_PASSWORD: simulator.password,
        VB365_CA_FILE: caFile,
        VB365_API_VERSION: 'v8',
        VB365_LISTEN_ADDRESS: '127.0.0.1:0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes('"msg":"listening"'), 5_000);
      const address = /"address":"([^"]+)"/.exec(output)?.[1];
      const client = agent({ ca: pki.ca });
      expect((await get(`https://${address}/metrics`, client)).status).toBe(401);
      await waitFor(() => output.includes('poll cycle finished'), 10_000);
      const reply = await get(`https://${address}/metrics`, client, basic(ALICE.user, ALICE.password));
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('veeam_vb365_up{server="127.0.0.1:');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).not.toContain(ALICE.password);
    } finally {
      child.kill('SIGKILL');
      await simulator.close();
    }
  });
});
