/**
 * The web configuration's certificate replaced on disk (as cert-manager renews it) while a client scrapes
 * every 100 ms: no scrape fails, a new connection sees the new certificate once the watcher looks (on the
 * fake clock), and a broken replacement keeps the old pair with one log line and a metric at 0.
 * Real TLS over real sockets.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERTIFICATE_CHECK_MS } from '../../src/http/certificate-watcher.js';
import type { FakeClock } from '../support/fake-clock.js';
import { fakeClockSkippingRetries, sampleValue, startHarness, type Harness } from '../support/harness.js';
import { authority, issue, type Pem } from '../support/web-fixtures.js';

let dir: string;
let ca: Pem;
let first: Pem;
let second: Pem;
let harness: Harness;
let clock: FakeClock;

const serverName = [
  { type: 2 as const, value: 'localhost' },
  { type: 7 as const, ip: '127.0.0.1' },
];

function install(pem: Pem): void {
  writeFileSync(join(dir, 'server.crt'), pem.cert);
  writeFileSync(join(dir, 'server.key'), pem.key, { mode: 0o600 });
}

/** The fingerprint of the certificate a brand-new connection is served. */
function servedFingerprint(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}/healthz`, { ca: ca.cert, agent: false }, (response) => {
      const certificate = (response.socket as TLSSocket).getPeerX509Certificate();
      response.resume();
      response.on('end', () => resolve(certificate?.fingerprint256 ?? ''));
    });
    req.on('error', reject);
    req.end();
  });
}

const fingerprint = (pem: Pem): string => new X509Certificate(pem.cert).fingerprint256;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vb365-rotation-'));
  ca = await authority('rotation test CA');
  first = await issue('localhost', 'server', serverName, ca);
  second = await issue('localhost', 'server', serverName, ca);
  install(first);
  const webConfig = join(dir, 'web.yml');
  writeFileSync(webConfig, 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n');
  clock = fakeClockSkippingRetries();
  harness = await startHarness({ clock, config: { webConfigFile: webConfig } });
});
afterAll(async () => {
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
});

async function metrics(): Promise<string> {
  const agent = new Agent({ connect: { ca: ca.cert } });
  try {
    return await (await request(`${harness.exporter.url}/metrics`, { dispatcher: agent })).body.text();
  } finally {
    await agent.close();
  }
}

describe('certificate rotation', () => {
  it('serves a renewed certificate to new connections without failing a scrape', async () => {
    const url = harness.exporter.url;
    expect(await servedFingerprint(url)).toBe(fingerprint(first));
    // A Prometheus-like scraper on one kept-alive connection, every 100 ms.
    const scraper = new Agent({ connect: { ca: ca.cert }, keepAliveTimeout: 60_000 });
    const statuses: number[] = [];
    let scraping = true;
    const scrapes = (async () => {
      while (scraping) {
        const response = await request(`${url}/metrics`, { dispatcher: scraper });
        await response.body.text();
        statuses.push(response.statusCode);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      install(second);
      // Until the watcher looks, new connections still get the old certificate.
      expect(await servedFingerprint(url)).toBe(fingerprint(first));
      await clock.advance(CERTIFICATE_CHECK_MS);
      expect(await servedFingerprint(url)).toBe(fingerprint(second));
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      scraping = false;
      await scrapes;
      await scraper.close();
    }
    expect(statuses.length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(harness.logs.messages()).toContain('TLS certificate reloaded; new connections use it');
    expect(sampleValue(await metrics(), 'veeam_vb365_exporter_tls_reload_successful', {})).toBe(1);
  });

  it('keeps the previous pair when the new key does not match, says so once, and sets the metric to 0', async () => {
    const url = harness.exporter.url;
    const served = await servedFingerprint(url);
    writeFileSync(join(dir, 'server.key'), first.key); // the key of another certificate
    await clock.advance(CERTIFICATE_CHECK_MS);
    await clock.advance(CERTIFICATE_CHECK_MS); // a second look at the same broken files logs nothing new
    expect(await servedFingerprint(url)).toBe(served);
    const failures = harness.logs.lines.filter(
      (line) => line['msg'] === 'TLS certificate reload failed; still serving the previous certificate',
    );
    expect(failures).toHaveLength(1);
    expect(String(failures[0]?.['reason'])).toMatch(/key/i);
    expect(sampleValue(await metrics(), 'veeam_vb365_exporter_tls_reload_successful', {})).toBe(0);

    install(first); // a good pair again
    await clock.advance(CERTIFICATE_CHECK_MS);
    expect(await servedFingerprint(url)).toBe(fingerprint(first));
    expect(sampleValue(await metrics(), 'veeam_vb365_exporter_tls_reload_successful', {})).toBe(1);
  });
});

describe('certificate rotation leaves the rest of the web config to a restart', () => {
  it('does not apply a change of client_auth_type, and treats an error outside tls_server_config as no TLS failure', async () => {
    const url = harness.exporter.url;
    const served = await servedFingerprint(url);
    const webConfig = join(dir, 'web.yml');
    install(second);
    writeFileSync(
      webConfig,
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAnyClientCert\n',
    );
    await clock.advance(CERTIFICATE_CHECK_MS);
    expect(await servedFingerprint(url)).toBe(served); // nothing applied, clients without certificates still served
    expect(harness.logs.messages()).toContain(
      'TLS settings other than the certificate, key and client CA changed; restart to apply them',
    );
    writeFileSync(
      webConfig,
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  alice: not-a-bcrypt-hash\n',
    );
    await clock.advance(CERTIFICATE_CHECK_MS);
    expect(harness.logs.messages()).toContain(
      'the web config has an error outside tls_server_config; certificates are looked at again once it is fixed',
    );
    expect(sampleValue(await metrics(), 'veeam_vb365_exporter_tls_reload_successful', {})).toBe(1);
    writeFileSync(webConfig, 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n');
    await clock.advance(CERTIFICATE_CHECK_MS);
    expect(await servedFingerprint(url)).toBe(fingerprint(second));
  });
});
