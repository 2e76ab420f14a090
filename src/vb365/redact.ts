/**
 * Removes credentials from text that came from a server (error messages are copied into logs, the
 * status page and metrics' neighbours): a misbehaving server or proxy may quote the token or the form
 * it was sent. Each secret is removed as sent, URL-encoded and base64-encoded.
 */
const REDACTED = '[redacted]';

/** Secrets shorter than this are not searched for: replacing every "ab" would garble the message and hide nothing. */
const SHORTEST_SECRET = 3;

export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < SHORTEST_SECRET) continue;
    for (const form of new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      Buffer.from(secret).toString('base64'),
    ])) {
      result = result.split(form).join(REDACTED);
    }
  }
  return result;
}

/**
 * The password and the tokens issued lately (current ones included): what must never be repeated from a
 * server's answer. The token source adds what it is issued; requests read it to clean what servers say.
 */
export class KnownSecrets {
  private readonly recentTokens: string[] = [];

  constructor(private readonly password: string) {}

  /** Keeps the tokens of the last three sessions. */
  remember(...tokens: readonly string[]): void {
    this.recentTokens.unshift(...tokens);
    this.recentTokens.length = Math.min(this.recentTokens.length, 6);
  }

  all(): readonly string[] {
    return [this.password, ...this.recentTokens];
  }
}
