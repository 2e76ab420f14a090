/**
 * First-day mistakes get a message that points at the fix, naming the setting as the user wrote it:
 * http:// against an HTTPS port, https:// against a plain one, a CA that did not sign the server's
 * certificate, no CA for a self-signed one. Over real sockets and real TLS against the simulator.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate, startSimulator, type Simulator } from 'vb365-simulator';
import { NO_FLAGS, parseCommandLine } from '../../src/config/args.js';
import { loadConfig } from '../../src/config/load.js';
import type { ServerConfig } from '../../src/config/types.js';
import { LISTING_FAILED, logLines } from '../support/fault-checks.js';
import { fakeClockSkippingRetries, startExporterFor, type ExporterHarness } from '../support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'vb365-diagnostics-'));
let simulator: Simulator | undefined;
let harness: ExporterHarness | undefined;
afterEach(async () => {
  await harness?.close();
  await simulator?.close();
  harness = undefined;
  simulator = undefined;
});

/** The reason the first cycle could not list organizations. */
async function listingFailure(servers: readonly ServerConfig[]): Promise<string> {
  harness = await startExporterFor(servers, { clock: fakeClockSkippingRetries() });
  return String(logLines(harness.logs.lines, LISTING_FAILED)[0]?.['reason']);
}

function fromEnv(url: string, extra: Record<string, string> = {}): ServerConfig[] {
  const env = { VB365_URL: url, VB365_USERNAME: 'admin', VB365_PASSWORD: 'vb365-simulator', ...extra };
  return [...loadConfig(NO_FLAGS, env).config.servers];
}

describe('connection diagnostics', () => {
  it('http:// against an HTTPS port says to use https://, naming VB365_URL', async () => {
    simulator = await startSimulator();
    const reason = await listingFailure(fromEnv(simulator.url.replace('https://', 'http://')));
    expect(reason).toBe(
      'the server closed the connection without answering (UND_ERR_SOCKET): if it serves HTTPS on this port, use https:// in VB365_URL',
    );
  });

  it('https:// against a plain HTTP port says to use http://', async () => {
    simulator = await startSimulator({ tls: false });
    const reason = await listingFailure(fromEnv(simulator.url.replace('http://', 'https://')));
    expect(reason).toBe(
      'the server answered the TLS handshake in plain HTTP (ERR_SSL_WRONG_VERSION_NUMBER): use http:// in VB365_URL, or the port that serves HTTPS',
    );
  });

  it('a CA that did not sign the certificate is named as the user set it, and said not to match', async () => {
    simulator = await startSimulator();
    const other = await createSelfSignedCertificate('127.0.0.1');
    const caFile = join(dir, 'other-ca.pem');
    writeFileSync(caFile, other.cert);
    const reason = await listingFailure(fromEnv(simulator.url, { VB365_CA_FILE: caFile }));
    expect(reason).toBe(
      "the server's certificate does not verify against the CA in VB365_CA_FILE (DEPTH_ZERO_SELF_SIGNED_CERT): that CA did not sign it; set VB365_CA_FILE to the CA that did, or VB365_TLS_INSECURE for a lab server",
    );
  });

  it('without a CA, says the system does not trust the certificate and names the YAML key to set', async () => {
    simulator = await startSimulator();
    const file = join(dir, 'config.yml');
    writeFileSync(file, `servers:\n  - url: ${simulator.url}\n    username: admin\n    password: vb365-simulator\n`);
    const servers = loadConfig(parseCommandLine([`--config.file=${file}`]), {}).config.servers;
    const reason = await listingFailure(servers);
    expect(reason).toBe(
      `the server's certificate is not signed by a CA this system trusts (DEPTH_ZERO_SELF_SIGNED_CERT): set servers[0].ca_file (${file}) to its CA, or servers[0].tls_insecure (${file}) for a lab server`,
    );
  });
});
