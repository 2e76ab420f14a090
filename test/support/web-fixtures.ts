/** What the web configuration tests share: users, a test PKI made with selfsigned, and a GET that reads the whole answer. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { request, type Agent } from 'undici';

export const ALICE = { user: 'alice', password: 'alice-Scrape-pw-7f3e9' };
export const BOB = { user: 'bob', password: 'bob-Scrape-pw-c41d2' };

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

/** A CA, a server certificate and client certificates it signed, and strangers it did not. */
export interface Pki {
  readonly dir: string;
  readonly ca: string;
  readonly client: Pem; // SAN prometheus.example
  readonly otherClient: Pem; // same CA, SAN other.example
  readonly stranger: Pem; // self-signed
  readonly foreignClient: Pem; // signed by another CA
}

const notBeforeDate = new Date(Date.now() - 60_000);
const notAfterDate = new Date(Date.now() + 24 * 3600 * 1000);

export async function issue(
  commonName: string,
  usage: 'server' | 'client',
  altNames: { type: 2 | 7; value?: string; ip?: string }[],
  ca?: Pem,
): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ...(ca === undefined ? {} : { ca: { key: ca.key, cert: ca.cert } }),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: usage === 'server', clientAuth: usage === 'client' },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export async function authority(commonName: string): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export async function createPki(): Promise<Pki> {
  const dir = mkdtempSync(join(tmpdir(), 'vb365-web-config-'));
  const ca = await authority('vb365-exporter test CA');
  const otherCa = await authority('unrelated test CA');
  const server = await issue(
    'localhost',
    'server',
    [
      { type: 2, value: 'localhost' },
      { type: 7, ip: '127.0.0.1' },
    ],
    ca,
  );
  const other = await issue('localhost', 'server', [{ type: 2, value: 'localhost' }]);
  writeFileSync(join(dir, 'ca.crt'), ca.cert);
  writeFileSync(join(dir, 'server.crt'), server.cert);
  writeFileSync(join(dir, 'server.key'), server.key, { mode: 0o600 });
  writeFileSync(join(dir, 'other.key'), other.key, { mode: 0o600 });
  return {
    dir,
    ca: ca.cert,
    client: await issue('prometheus', 'client', [{ type: 2, value: 'prometheus.example' }], ca),
    otherClient: await issue('intruder', 'client', [{ type: 2, value: 'other.example' }], ca),
    stranger: await issue('prometheus', 'client', [{ type: 2, value: 'prometheus.example' }]),
    foreignClient: await issue('prometheus', 'client', [{ type: 2, value: 'prometheus.example' }], otherCa),
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export async function get(url: string, dispatcher: Agent, authorization?: string): Promise<Reply> {
  const response = await request(url, { dispatcher, headers: authorization === undefined ? {} : { authorization } });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}
