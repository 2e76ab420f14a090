// Opaque bearer tokens: issued on login, checked on every API call, revocable.
import { randomBytes } from 'node:crypto';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  userName: string;
  issuedAt: Date;
  expiresAt: Date;
  lifetimeSeconds: number;
}

interface AccessTokenRecord {
  expiresAtMs: number;
  refreshToken: string;
}

/** Above this many live access tokens, expired ones are pruned on the next login (bounds memory in benchmarks). */
const PRUNE_THRESHOLD = 10_000;

export class TokenStore {
  readonly #accessTokens = new Map<string, AccessTokenRecord>();
  /** Refresh token -> user name. Refresh tokens do not expire (undocumented) but are single use. */
  readonly #refreshTokens = new Map<string, string>();

  readonly #sequence = { access: 0, refresh: 0 };

  constructor(
    private readonly lifetimeSeconds: number,
    private readonly now: () => number = Date.now,
    private readonly makeToken: (kind: 'access' | 'refresh', sequence: number) => string = () =>
      randomBytes(32).toString('base64url'),
  ) {}

  issue(userName: string): IssuedTokens {
    if (this.#accessTokens.size > PRUNE_THRESHOLD) this.#pruneExpired();
    const issuedAtMs = this.now();
    const expiresAtMs = issuedAtMs + this.lifetimeSeconds * 1000;
    const accessToken = this.makeToken('access', ++this.#sequence.access);
    const refreshToken = this.makeToken('refresh', ++this.#sequence.refresh);
    this.#accessTokens.set(accessToken, { expiresAtMs, refreshToken });
    this.#refreshTokens.set(refreshToken, userName);
    return {
      accessToken,
      refreshToken,
      userName,
      issuedAt: new Date(issuedAtMs),
      expiresAt: new Date(expiresAtMs),
      lifetimeSeconds: this.lifetimeSeconds,
    };
  }

  /** Exchanges a refresh token for new tokens; the used refresh token stops working. */
  refresh(refreshToken: string): IssuedTokens | undefined {
    const userName = this.#refreshTokens.get(refreshToken);
    if (userName === undefined) return undefined;
    this.#refreshTokens.delete(refreshToken);
    return this.issue(userName);
  }

  /** The bearer token of an Authorization header when it is known and not expired. */
  validAccessToken(authorization: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const token = match?.[1];
    if (token === undefined) return undefined;
    const record = this.#accessTokens.get(token);
    if (!record) return undefined;
    if (this.now() >= record.expiresAtMs) {
      this.#accessTokens.delete(token);
      return undefined;
    }
    return token;
  }

  /** Logout: the access token and the refresh token issued with it become invalid. */
  revoke(accessToken: string): void {
    const record = this.#accessTokens.get(accessToken);
    if (!record) return;
    this.#accessTokens.delete(accessToken);
    this.#refreshTokens.delete(record.refreshToken);
  }

  revokeAll(): void {
    this.#accessTokens.clear();
    this.#refreshTokens.clear();
  }

  #pruneExpired(): void {
    const now = this.now();
    for (const [token, record] of this.#accessTokens) {
      if (now >= record.expiresAtMs) this.#accessTokens.delete(token);
    }
  }
}
