/** What the secret hygiene tests share: a distinctive password and tokens, and where they may leak. */
import { randomBytes } from 'node:crypto';

/** Distinctive, and with characters that URL and form encoding change. */
export const PASSWORD = 'Pa55-SECRET-c0rn/+ &=%';

/** Tokens the simulator issues: distinctive, unique, recorded so the test knows every one of them. */
export function tokenRecorder(): {
  issued: string[];
  factory: (kind: 'access' | 'refresh', sequence: number) => string;
} {
  const issued: string[] = [];
  return {
    issued,
    factory: (kind, sequence) => {
      const token = `${kind}-T0KEN-${sequence}-${randomBytes(12).toString('hex')}`;
      issued.push(token);
      return token;
    },
  };
}

/** Every form a secret could take in text: as is, URL-encoded (both ways), base64 (both alphabets), in a Basic header. */
function forms(secret: string): string[] {
  const base64 = Buffer.from(secret).toString('base64');
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ x: secret }).toString().slice(2),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(secret).toString('base64url'),
    Buffer.from(`admin:${secret}`).toString('base64'),
  ];
}

/** Where any form of any secret (or its distinctive core) appears. */
export function leaks(
  texts: ReadonlyArray<readonly [where: string, text: string]>,
  secrets: readonly string[],
): string[] {
  const needles = [...new Set([...secrets.flatMap(forms), 'SECRET-c0rn', 'T0KEN'])];
  const found: string[] = [];
  for (const [where, text] of texts) {
    for (const needle of needles) if (text.includes(needle)) found.push(`${where} contains ${JSON.stringify(needle)}`);
  }
  return found;
}

/** Status, headers and body of every endpoint of the exporter, as text. */
export async function endpoints(url: string): Promise<Array<[string, string]>> {
  const answers: Array<[string, string]> = [];
  for (const path of ['/', '/metrics', '/healthz', '/readyz', '/no-such-page']) {
    for (const headers of [{}, { 'accept-encoding': 'identity' }]) {
      const response = await fetch(`${url}${path}`, { headers });
      answers.push([
        `GET ${path}`,
        `${response.status}\n${JSON.stringify([...response.headers])}\n${await response.text()}`,
      ]);
    }
  }
  return answers;
}
