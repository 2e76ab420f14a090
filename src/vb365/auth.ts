/**
 * The access token of one VB365 server: cached until shortly before it expires, renewed with the
 * refresh token (falling back to the password grant), one login at a time however many requests
 * wait for it, and failed logins backed off exponentially so a wrong password cannot hammer the server.
 * The token source is handed the token endpoint as a function; nothing here calls back into the client.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { Vb365Error, describeError } from './errors.js';
import { parseTokenAnswer, type TokenAnswer } from './parse.js';
import type { KnownSecrets } from './redact.js';
import type { Requester } from './requester.js';
import { LOGIN_BACKOFF, backoffMs } from './retry.js';
import type { Route } from './routes.js';

/** Posts the form to the token endpoint; throws when the server refuses it. */
export type RequestToken = (form: URLSearchParams, signal: AbortSignal) => Promise<TokenAnswer>;

/** The token endpoint at `route`, requested (with retries, counted) and its answer checked. */
/** `route` is asked at each login: the API version (and so the token path) may change while running. */
export function tokenEndpoint(requester: Requester, route: () => Route): RequestToken {
  return async (form, signal) => {
    const { endpoint, path, small } = route();
    const answer = await requester.send({ endpoint, method: 'POST', path, form, small }, signal);
    return requester.read(endpoint, () => parseTokenAnswer(answer.json));
  };
}

export interface TokenSourceOptions {
  readonly username: string;
  readonly password: string;
  readonly requestToken: RequestToken;
  /** Told every token issued, so no server text repeats one. */
  readonly secrets: KnownSecrets;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
}

interface Session {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly issuedAtMs: number;
  readonly renewAtMs: number;
  /** A 401 came for this token while it was fresh: later 401s are permission problems too. */
  readonly refusedWhileFresh: boolean;
}

/** A token younger than this that is refused with 401 was not expired: the account may not read that. */
export const FRESH_TOKEN_MS = 5_000;

export class TokenSource {
  private session: Session | undefined;
  private pending: Promise<string> | undefined;
  private consecutiveFailures = 0;
  private nextLoginAtMs = 0;
  /** Why the last login failed, repeated while logins are backed off. */
  private lastLoginFailure = '';

  constructor(private readonly options: TokenSourceOptions) {}

  /** The access token in use while it is valid, without waiting (the case of almost every request). */
  validToken(): string | undefined {
    const session = this.session;
    return session !== undefined && this.options.clock.now() < session.renewAtMs ? session.accessToken : undefined;
  }

  /** A valid access token, logging in first if needed. */
  async accessToken(signal: AbortSignal): Promise<string> {
    const now = this.options.clock.now();
    if (this.session !== undefined && now < this.session.renewAtMs) return this.session.accessToken;
    if (this.pending !== undefined) return this.pending;
    if (now < this.nextLoginAtMs) {
      const waitSeconds = Math.ceil((this.nextLoginAtMs - now) / 1000);
      throw Vb365Error.loginBackoff(this.consecutiveFailures, waitSeconds, this.lastLoginFailure);
    }
    this.pending = this.login(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * The server refused this token, sent at `sentAtMs`, with 401. An expired or revoked token is dropped and the answer is
   * 'renew': the next caller logs in again, once for all callers, and the request may be retried. A
   * token refused while fresh means the account lacks a permission (or a proxy drops the header), and so
   * does every later 401 of that session in the same cycle: 'permission', with no login. So refusals cost
   * at most one login a cycle, however many organizations are refused.
   */
  refused(accessToken: string, sentAtMs: number): 'renew' | 'permission' {
    const session = this.session;
    if (session?.accessToken !== accessToken) return 'renew'; // already renewed by another caller
    const ageMs = sentAtMs - session.issuedAtMs;
    if (session.refusedWhileFresh || ageMs < FRESH_TOKEN_MS) {
      if (!session.refusedWhileFresh) {
        this.session = { ...session, refusedWhileFresh: true };
        this.options.logger.warn(
          { tokenAgeSeconds: ageMs / 1000 },
          "a fresh token was refused (401): no new login for this in this cycle; check the account's VB365 role",
        );
      }
      return 'permission';
    }
    this.session = { ...session, renewAtMs: 0 };
    return 'renew';
  }

  /**
   * The API version changed: logins that failed under the old one (a 404 of its token path, say) say nothing
   * of the new one, so its first login is not held back.
   */
  versionChanged(): void {
    this.consecutiveFailures = 0;
    this.nextLoginAtMs = 0;
  }

  /** A new poll cycle: a 401 may again be taken for an expired token, once. */
  beginCycle(): void {
    if (this.session?.refusedWhileFresh === true) this.session = { ...this.session, refusedWhileFresh: false };
  }

  private async login(signal: AbortSignal): Promise<string> {
    const refreshToken = this.session?.refreshToken;
    if (refreshToken !== undefined) {
      try {
        return this.accept(
          await this.options.requestToken(
            new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
            signal,
          ),
        );
      } catch (error) {
        if (signal.aborted) throw error;
        this.options.logger.info(
          { reason: describeError(error) },
          'refresh token refused; logging in with the password',
        );
      }
    }
    this.session = undefined;
    try {
      const form = new URLSearchParams({
        grant_type: 'password',
        username: this.options.username,
        password: this.options.password,
      });
      // Without this, v7+ servers expect a browser antiforgery cookie; older servers ignore it.
      form.set('disable_antiforgery_token', 'true');
      return this.accept(await this.options.requestToken(form, signal));
    } catch (error) {
      if (!signal.aborted) {
        this.consecutiveFailures++;
        this.lastLoginFailure = describeError(error);
        const wait = backoffMs(this.consecutiveFailures - 1, LOGIN_BACKOFF, this.options.random);
        this.nextLoginAtMs = this.options.clock.now() + wait;
        this.options.logger.warn(
          {
            reason: describeError(error),
            consecutiveFailures: this.consecutiveFailures,
            retryInSeconds: Math.round(wait / 1000),
          },
          'login failed',
        );
      }
      throw error;
    }
  }

  private accept(answer: TokenAnswer): string {
    this.options.secrets.remember(
      answer.accessToken,
      ...(answer.refreshToken === undefined ? [] : [answer.refreshToken]),
    );
    const lifetimeMs = answer.expiresInSeconds * 1000;
    // Renew a little early so a token never expires between the check and the request.
    const skewMs = Math.min(60_000, lifetimeMs / 10);
    const now = this.options.clock.now();
    this.session = {
      accessToken: answer.accessToken,
      refreshToken: answer.refreshToken,
      issuedAtMs: now,
      renewAtMs: now + lifetimeMs - skewMs,
      refusedWhileFresh: false,
    };
    this.consecutiveFailures = 0;
    this.nextLoginAtMs = 0;
    return answer.accessToken;
  }
}
