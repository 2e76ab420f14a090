/**
 * The web config file (--web.config.file): strict loading with one-line errors, basic auth, TLS and
 * client certificates, over real sockets with real TLS clients. Certificates are generated at test time
 * into a temporary directory, never committed. The built program's part is in
 * test/integration/web-config-built-program.test.ts.
 */
import { copyFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WWW_AUTHENTICATE } from '../../src/http/basic-auth.js';
import { BcryptWorker } from '../../src/http/bcrypt-worker.js';
import { loadWebConfig } from '../../src/config/web-config.js';
import { systemClock } from '../../src/clock.js';
import { startExporter } from '../../src/exporter.js';
import { createLogger } from '../../src/logger.js';
import { startHarness, testExporterConfig, testServerConfig, waitFor, type Harness } from '../support/harness.js';
import { configError } from '../support/config-error.js';
import { ALICE, BOB, basic, createPki, get, type Pem, type Pki, type Reply } from '../support/web-fixtures.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'web-config');

const SECRETS = [ALICE.password, BOB.password, 'wrong-pw-3b8a', 'mallory-pw-5e1f'];

let pki: Pki;
let hashes: { alice: string; bob: string };
const agents: Agent[] = [];
const harnesses: Harness[] = [];

beforeAll(async () => {
  pki = await createPki();
  // Cost 4 keeps the suite fast; the code path is the same at any cost.
  hashes = { alice: bcrypt.hashSync(ALICE.password, 4), bob: bcrypt.hashSync(BOB.password, 4) };
});

afterAll(async () => {
  await Promise.all(harnesses.map((harness) => harness.close()));
  await Promise.all(agents.map((agent) => agent.close()));
  rmSync(pki.dir, { recursive: true, force: true });
});

function writeWebConfig(name: string, yaml: string): string {
  const file = join(pki.dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** An exporter polling the simulator, serving with the given web config (loaded as the harness does). */
async function exporterWith(name: string, yaml: string, waitForFirstCycle = true): Promise<Harness> {
  const harness = await startHarness({ config: { webConfigFile: writeWebConfig(name, yaml) }, waitForFirstCycle });
  harnesses.push(harness);
  return harness;
}

function agent(connect: Record<string, unknown> = {}): Agent {
  const created = new Agent({ connect: { timeout: 5_000, ...connect } });
  agents.push(created);
  return created;
}

/** A GET on a new connection from the given local address (undici's Agent does not take one). */
function getFrom(localAddress: string, url: string, authorization: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    httpGet(url, { localAddress, agent: false, headers: { authorization } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    }).on('error', reject);
  });
}

describe('web config file', () => {
  it('reads every setting, with file paths relative to the file', () => {
    const file = join(pki.dir, 'valid.yml');
    copyFileSync(join(FIXTURES, 'valid.yml'), file);
    const web = loadWebConfig(file);
    expect(web.tls).toEqual({
      cert: readFileSync(join(pki.dir, 'server.crt'), 'utf8'),
      key: readFileSync(join(pki.dir, 'server.key'), 'utf8'),
      clientAuthType: 'RequireAndVerifyClientCert',
      clientCa: pki.ca,
      clientAllowedSans: ['prometheus.example', '::1'],
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305',
      honorCipherOrder: false,
      ecdhCurve: 'X25519:P-256',
    });
    expect([...web.users.keys()]).toEqual(['alice', 'bob', 'carol']);
    expect(web.headers).toEqual({
      'X-Custom': 'value',
      'Strict-Transport-Security': 'max-age=31536000',
      'X-Frame-Options': 'sameorigin',
    });
    expect(web.unauthenticatedPaths).toEqual(['/healthz', '/readyz']);
    expect(web.warnings).toEqual([]);
  });

  it('applies exporter-toolkit defaults: TLS 1.2 to 1.3, no client certificate, server cipher order', () => {
    const web = loadWebConfig(
      writeWebConfig('defaults.yml', 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n'),
    );
    expect(web.tls).toMatchObject({
      clientAuthType: 'NoClientCert',
      clientCa: undefined,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: undefined,
      honorCipherOrder: true,
      ecdhCurve: undefined,
    });
    expect(web.users.size).toBe(0);
  });

  it('treats an empty file as no TLS and no basic auth, and says so', () => {
    const web = loadWebConfig(writeWebConfig('empty.yml', '# nothing yet\n'));
    expect(web.tls).toBeUndefined();
    expect(web.users.size).toBe(0);
    expect(web.warnings).toEqual([`web config ${join(pki.dir, 'empty.yml')} is empty: no TLS, no basic auth`]);
  });

  it('warns about settings that do less than they seem to', () => {
    const file = writeWebConfig(
      'warnings.yml',
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nhttp_server_config:\n  http2: true\nunauthenticated_paths: [/healthz]\n`,
    );
    const inTwoYears = new Date(Date.now() + 2 * 365 * 24 * 3600 * 1000);
    const { warnings } = loadWebConfig(file, inTwoYears);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^tls_server_config\.cert_file \(.*\): the certificate expired on /);
    expect(warnings[1]).toBe(`http_server_config.http2 (${file}): ignored, vb365-exporter serves HTTP/1.1`);
    expect(warnings[2]).toBe(`unauthenticated_paths (${file}): has no effect without basic_auth_users`);
    const plain = loadWebConfig(writeWebConfig('plain-auth.yml', `basic_auth_users:\n  alice: ${hashes.alice}\n`));
    expect(plain.warnings).toEqual([
      `basic_auth_users (${join(pki.dir, 'plain-auth.yml')}): basic auth without tls_server_config sends passwords in clear text`,
    ]);
  });

  const invalid = readdirSync(FIXTURES).filter((name) => name.startsWith('invalid-'));
  it('has invalid fixtures to check', () => expect(invalid.length).toBeGreaterThanOrEqual(30));
  it.each(invalid)('rejects %s with one line naming the key', (name) => {
    const file = join(pki.dir, name);
    copyFileSync(join(FIXTURES, name), file);
    const text = readFileSync(file, 'utf8');
    const expected = /^# expect: (.*)$/m.exec(text)?.[1]?.replaceAll('FILE', file).replaceAll('DIR', pki.dir);
    expect(expected).toBeDefined();
    const error = configError(() => loadWebConfig(file));
    expect(error.message).toBe(expected);
    expect(error.message).not.toContain('\n');
  });

  it('names a missing file', () => {
    expect(configError(() => loadWebConfig('/nonexistent/web.yml')).message).toBe(
      '--web.config.file: expected a readable YAML file, got "/nonexistent/web.yml" (ENOENT)',
    );
  });

  it('never echoes a password, an inline key or a hash', () => {
    const plain = configError(() => loadWebConfig(join(FIXTURES, 'invalid-hash-plain-text.yml')));
    expect(plain.message).not.toContain('plain-text-fixture-password');
    const inline = configError(() =>
      loadWebConfig(
        writeWebConfig(
          'inline-key.yml',
          'tls_server_config:\n  cert_file: server.crt\n  key: "inline-Secret-key-text"\n',
        ),
      ),
    );
    expect(inline.message).toBe(
      `tls_server_config.key (${join(pki.dir, 'inline-key.yml')}): expected an unencrypted PEM private key, got a value that is not shown (not a private key)`,
    );
    // Not even when the key is not a string at all.
    const listed = configError(() =>
      loadWebConfig(
        writeWebConfig(
          'listed-key.yml',
          'tls_server_config:\n  cert_file: server.crt\n  key: ["inline-Secret-key-text"]\n',
        ),
      ),
    );
    expect(listed.message).not.toContain('inline-Secret');
    expect(listed.message).toContain('got a value that is not shown');
  });

  it('keeps a message one line whatever a user name holds', () => {
    const file = writeWebConfig('newline-user.yml', 'basic_auth_users:\n  "ad\\nmin": not-a-hash\n');
    const error = configError(() => loadWebConfig(file));
    expect(error.message).not.toContain('\n');
    expect(error.message.startsWith('basic_auth_users."ad\\nmin"')).toBe(true);
  });

  it('accepts inline PEM (cert, key, client_ca) as exporter-toolkit does', () => {
    const indent = (pem: string): string => pem.trim().replaceAll('\n', '\n    ');
    const web = loadWebConfig(
      writeWebConfig(
        'inline.yml',
        `tls_server_config:\n  cert: |\n    ${indent(readFileSync(join(pki.dir, 'server.crt'), 'utf8'))}\n  key: |\n    ${indent(readFileSync(join(pki.dir, 'server.key'), 'utf8'))}\n` +
          `  client_ca: |\n    ${indent(pki.ca)}\n  client_auth_type: RequireAndVerifyClientCert\n`,
      ),
    );
    expect(web.tls?.clientAuthType).toBe('RequireAndVerifyClientCert');
    expect(web.tls?.clientCa?.trim()).toBe(pki.ca.trim());
  });

  it('is never silently left out: the exporter refuses a configured file it was not given loaded', async () => {
    const file = writeWebConfig('given.yml', `basic_auth_users:\n  alice: ${hashes.alice}\n`);
    const config = testExporterConfig([testServerConfig({ url: 'https://127.0.0.1:1' })], { webConfigFile: file });
    const deps = { logger: createLogger('silent'), clock: systemClock, random: Math.random, version: '0.0.0-test' };
    await expect(startExporter(config, deps)).rejects.toThrow(/must be loaded and given with it/);
    const other = loadWebConfig(writeWebConfig('other.yml', ''));
    await expect(startExporter(config, { ...deps, webConfig: other })).rejects.toThrow(/must be loaded/);
  });
});

describe('basic auth', () => {
  let harness: Harness;
  let client: Agent;
  let url: string;
  beforeAll(async () => {
    harness = await exporterWith(
      'basic-auth.yml',
      `basic_auth_users:\n  alice: ${hashes.alice}\n  bob: ${hashes.bob}\n` +
        `http_server_config:\n  headers:\n    X-Custom: from-the-web-config\n    Content-Security-Policy: "default-src 'none'"\n`,
    );
    client = agent();
    url = harness.exporter.url;
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('serves /metrics with real data to the right user and password', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const reply = await get(`${url}/metrics`, client, basic(ALICE.user, ALICE.password));
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('veeam_vb365_up{server="sim"} 1');
    expect(reply.body).toContain('veeam_vb365_repository_used_space_bytes{');
  });

  it('answers 401 alike to a wrong password, an unknown user, a missing or malformed header', async () => {
    const attempts = [
      basic(ALICE.user, 'wrong-pw-3b8a'),
      basic('mallory', 'mallory-pw-5e1f'),
      basic(ALICE.user, ''),
      basic(`${ALICE.user}x`, ALICE.password),
      undefined,
      'Bearer abc',
      'Basic !!!not-base64',
      `Basic ${Buffer.from(ALICE.user).toString('base64')}`,
    ];
    const replies = await Promise.all(attempts.map((authorization) => get(`${url}/metrics`, client, authorization)));
    const shape = (reply: Reply): unknown => ({
      ...reply,
      headers: { ...reply.headers, date: undefined, 'keep-alive': undefined, connection: undefined },
    });
    for (const reply of replies) {
      expect(reply.status).toBe(401);
      expect(reply.headers['www-authenticate']).toBe('Basic realm="vb365-exporter", charset="UTF-8"');
      expect(shape(reply)).toEqual(shape(replies[0] as Reply));
    }
    expect(WWW_AUTHENTICATE).toBe('Basic realm="vb365-exporter", charset="UTF-8"');
    expect(replies[0]?.body).toBe('unauthorized\n');
  });

  it("checks an unknown user's password against a dummy hash of the same cost, and a known user's against theirs", async () => {
    const compare = vi.spyOn(BcryptWorker.prototype, 'compare');
    expect((await get(`${url}/metrics`, client, basic('mallory', 'mallory-pw-5e1f'))).status).toBe(401);
    expect(compare).toHaveBeenCalledTimes(1);
    const dummy = compare.mock.calls[0]?.[1] ?? '';
    expect(bcrypt.getRounds(dummy)).toBe(bcrypt.getRounds(hashes.alice));
    expect([hashes.alice, hashes.bob]).not.toContain(dummy);
    expect((await get(`${url}/metrics`, client, basic(ALICE.user, 'wrong-pw-3b8a'))).status).toBe(401);
    expect(compare).toHaveBeenCalledTimes(2);
    expect(compare.mock.calls[1]?.[1]).toBe(hashes.alice);
  });

  it('remembers a successful check so scrapes do not pay bcrypt again; never a failed one', async () => {
    const compare = vi.spyOn(BcryptWorker.prototype, 'compare');
    for (let scrape = 0; scrape < 3; scrape++)
      expect((await get(`${url}/metrics`, client, basic(BOB.user, BOB.password))).status).toBe(200);
    expect(compare).toHaveBeenCalledTimes(1);
    for (let attempt = 0; attempt < 2; attempt++)
      expect((await get(`${url}/metrics`, client, basic(BOB.user, 'wrong-pw-3b8a'))).status).toBe(401);
    expect(compare).toHaveBeenCalledTimes(3);
  });

  it('protects every path by default: /, /healthz, /readyz and unknown ones too', async () => {
    for (const path of ['/', '/healthz', '/readyz', '/nope'])
      expect((await get(`${url}${path}`, client)).status, path).toBe(401);
    const auth = basic(ALICE.user, ALICE.password);
    expect((await get(`${url}/`, client, auth)).status).toBe(200);
    expect((await get(`${url}/healthz`, client, auth)).body).toBe('ok\n');
    expect((await get(`${url}/readyz`, client, auth)).status).toBe(200);
    expect((await get(`${url}/nope`, client, auth)).status).toBe(404);
  });

  it('adds the configured headers to every response; they win over the landing page defaults; no X-Powered-By', async () => {
    const denied = await get(`${url}/metrics`, client);
    const page = await get(`${url}/`, client, basic(ALICE.user, ALICE.password));
    const metrics = await get(`${url}/metrics`, client, basic(ALICE.user, ALICE.password));
    for (const reply of [denied, page, metrics]) {
      expect(reply.headers['x-custom']).toBe('from-the-web-config');
      expect(reply.headers['x-powered-by']).toBeUndefined();
    }
    expect(page.headers['content-security-policy']).toBe("default-src 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('runs one bcrypt check at a time and answers 429 at once when an address has 8 waiting', async () => {
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const compare = vi.spyOn(BcryptWorker.prototype, 'compare');
    let running = 0;
    let mostRunning = 0;
    compare.mockImplementation(async () => {
      mostRunning = Math.max(mostRunning, ++running);
      await gate;
      running--;
      return false;
    });
    const flood = agent();
    const replies: Reply[] = [];
    const pending = Array.from({ length: 70 }, (_, index) =>
      get(`${url}/metrics`, flood, basic(`flood${index}`, 'x')).then((reply) => void replies.push(reply)),
    );
    await waitFor(() => replies.length >= 61, 5_000);
    expect(replies.every((reply) => reply.status === 429 && reply.headers['retry-after'] === '1')).toBe(true);
    open();
    await Promise.all(pending);
    const statuses = replies.map((reply) => reply.status);
    // One running and eight waiting from this address; every other request was refused at once.
    expect(statuses.filter((status) => status === 401)).toHaveLength(9);
    expect(statuses.filter((status) => status === 429)).toHaveLength(61);
    expect(mostRunning).toBe(1);
    expect(harness.logs.messages().filter((message) => message.startsWith('too many basic auth checks'))).toHaveLength(
      1,
    );
  });

  it('answers 429 when 64 checks wait in all, from however many addresses', async () => {
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const compare = vi.spyOn(BcryptWorker.prototype, 'compare');
    compare.mockImplementation(() => gate.then(() => false));
    // Ten loopback addresses (Linux answers on all of 127/8) with 7 requests each: 70 in all.
    const replies: Reply[] = [];
    const pending = Array.from({ length: 70 }, (_, index) =>
      getFrom(`127.0.0.${(index % 10) + 2}`, `${url}/metrics`, basic(`flood${index}`, 'x')).then(
        (reply) => void replies.push(reply),
      ),
    );
    await waitFor(() => replies.length >= 5, 5_000);
    open();
    await Promise.all(pending);
    const statuses = replies.map((reply) => reply.status);
    // One running and 64 waiting; the last five to arrive found the queue full.
    expect(statuses.filter((status) => status === 401)).toHaveLength(65);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });

  it('never logs or answers a password or the Authorization header', async () => {
    const tried = [
      basic(ALICE.user, ALICE.password),
      basic(ALICE.user, 'wrong-pw-3b8a'),
      basic('mallory', 'mallory-pw-5e1f'),
    ];
    const replies = await Promise.all(tried.map((authorization) => get(`${url}/metrics`, client, authorization)));
    expect(harness.logs.messages()).toContain('basic auth failed'); // the failures were logged...
    const logs = harness.logs.raw.join('\n');
    for (const secret of [...SECRETS, ...tried.map((header) => header.slice('Basic '.length)), hashes.alice]) {
      expect(logs).not.toContain(secret); // ...without what was tried
      for (const reply of replies) expect(reply.body).not.toContain(secret);
    }
  });
});

describe('unauthenticated_paths', () => {
  it('serves the listed paths without credentials, exactly as written, and nothing else', async () => {
    const harness = await exporterWith(
      'paths.yml',
      `basic_auth_users:\n  alice: ${hashes.alice}\nunauthenticated_paths: [/healthz, /readyz]\n`,
    );
    const client = agent();
    const { url } = harness.exporter;
    expect(await get(`${url}/healthz`, client)).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(`${url}/healthz?probe=kubelet`, client)).toMatchObject({ status: 200 });
    expect(await get(`${url}/readyz`, client)).toMatchObject({ status: 200, body: 'ready\n' });
    for (const path of ['/metrics', '/', '/HEALTHZ', '/healthz/', '/healthz/x', '/readyz.'])
      expect((await get(`${url}${path}`, client)).status, path).toBe(401);
  });
});

describe('TLS', () => {
  let harness: Harness;
  let trusting: Agent;
  beforeAll(async () => {
    harness = await exporterWith(
      'tls.yml',
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  alice: ${hashes.alice}\nunauthenticated_paths: [/healthz]\n`,
    );
    trusting = agent({ ca: pki.ca });
  });

  it('serves the landing page, /metrics, /healthz and /readyz over HTTPS', async () => {
    const { url } = harness.exporter;
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const auth = basic(ALICE.user, ALICE.password);
    const metrics = await get(`${url}/metrics`, trusting, auth);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('veeam_vb365_up{server="sim"} 1');
    expect((await get(`${url}/`, trusting, auth)).body).toContain('href="/metrics"');
    expect((await get(`${url}/healthz`, trusting)).status).toBe(200);
    expect((await get(`${url}/readyz`, trusting, auth)).status).toBe(200);
    expect((await get(`${url}/readyz`, trusting)).status).toBe(401);
    expect(harness.logs.lines.find((line) => line['msg'] === 'listening')).toMatchObject({
      tls: true,
      basicAuth: true,
    });
  });

  it('refuses plain HTTP and clients that do not trust the certificate', async () => {
    const { url } = harness.exporter;
    await expect(get(url.replace('https:', 'http:') + '/healthz', agent())).rejects.toThrow();
    await expect(get(`${url}/healthz`, agent())).rejects.toThrow(/certificate/i);
  });

  it('min_version TLS13 refuses a TLS 1.2-only client', async () => {
    const strict = await exporterWith(
      'tls13.yml',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n',
      false,
    );
    const url = `${strict.exporter.url}/healthz`;
    await expect(get(url, agent({ ca: pki.ca, maxVersion: 'TLSv1.2' }))).rejects.toThrow();
    expect((await get(url, agent({ ca: pki.ca }))).status).toBe(200);
  });

  it('cipher_suites limits TLS 1.2 to the listed suites (Go names mapped to OpenSSL)', async () => {
    const limited = await exporterWith(
      'ciphers.yml',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n',
      false,
    );
    const url = `${limited.exporter.url}/healthz`;
    await expect(get(url, agent({ ca: pki.ca, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }))).rejects.toThrow();
    expect((await get(url, agent({ ca: pki.ca, ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }))).status).toBe(200);
  });
});

describe('client certificates', () => {
  const tlsWith = (extra: string): string =>
    `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n${extra}`;
  const withCert = (pem?: Pem): Agent =>
    agent({ ca: pki.ca, ...(pem === undefined ? {} : { cert: pem.cert, key: pem.key }) });

  it('RequireAndVerifyClientCert: no certificate or one the CA did not sign fails the handshake; the right one gets /metrics', async () => {
    const harness = await exporterWith('mtls.yml', tlsWith('  client_auth_type: RequireAndVerifyClientCert\n'));
    const url = `${harness.exporter.url}/metrics`;
    await expect(get(url, withCert())).rejects.toThrow();
    await expect(get(url, withCert(pki.stranger))).rejects.toThrow();
    await expect(get(url, withCert(pki.foreignClient))).rejects.toThrow();
    const reply = await get(url, withCert(pki.client));
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('veeam_vb365_up{server="sim"} 1');
  });

  it('client_allowed_sans: a certificate from the right CA without an allowed SAN is refused', async () => {
    const harness = await exporterWith(
      'sans.yml',
      tlsWith('  client_auth_type: RequireAndVerifyClientCert\n  client_allowed_sans: [prometheus.example]\n'),
      false,
    );
    const url = `${harness.exporter.url}/healthz`;
    await expect(get(url, withCert(pki.otherClient))).rejects.toThrow();
    expect((await get(url, withCert(pki.client))).status).toBe(200);
    expect(harness.logs.lines.some((line) => line['problem'] === 'no allowed SAN in the client certificate')).toBe(
      true,
    );
  });

  it('VerifyClientCertIfGiven: no certificate is fine, an unverifiable one is refused', async () => {
    const harness = await exporterWith('if-given.yml', tlsWith('  client_auth_type: VerifyClientCertIfGiven\n'), false);
    const url = `${harness.exporter.url}/healthz`;
    expect((await get(url, withCert())).status).toBe(200);
    await expect(get(url, withCert(pki.stranger))).rejects.toThrow();
    expect((await get(url, withCert(pki.client))).status).toBe(200);
  });

  it('RequireAnyClientCert: some certificate is required, not verified', async () => {
    const harness = await exporterWith(
      'any.yml',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAnyClientCert\n',
      false,
    );
    const url = `${harness.exporter.url}/healthz`;
    await expect(get(url, withCert())).rejects.toThrow();
    expect((await get(url, withCert(pki.stranger))).status).toBe(200);
  });
});
