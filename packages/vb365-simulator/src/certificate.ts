// A fresh self-signed certificate per simulator, kept in memory only.
import { generate } from 'selfsigned';

export interface ServerCertificate {
  cert: string;
  key: string;
}

/** Valid for localhost, 127.0.0.1 and ::1 (plus `host` when it is another name or address). */
export async function createSelfSignedCertificate(host: string): Promise<ServerCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000); // tolerate small clock differences
  const notAfterDate = new Date(notBeforeDate.getTime() + 7 * 24 * 3600 * 1000);
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (!['localhost', '127.0.0.1', '::1', '0.0.0.0', '::'].includes(host)) {
    altNames.push(isIpAddress(host) ? { type: 7, ip: host } : { type: 2, value: host });
  }
  // EC keys generate in milliseconds, RSA 2048 can take a second on a busy CI core.
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
