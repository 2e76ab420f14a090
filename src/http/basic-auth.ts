/**
 * HTTP basic auth against bcrypt hashes (the web config's `basic_auth_users`).
 *
 * - Every failure (no header, unknown user, wrong password) gets the same 401 and body. A known user and
 *   an unknown one cost the same: user names are compared in constant time against every configured
 *   name, and an unknown user's password is checked against a dummy hash of the same cost.
 * - bcrypt is slow on purpose (~100 ms at cost 10 in JavaScript): a successful check is remembered,
 *   keyed by a SHA-256 of user and password (never the password itself), so a Prometheus scraping every
 *   15 s costs one bcrypt per process lifetime. Checks run one at a time, like exporter-toolkit's, so
 *   guessing cannot take every core, and client addresses take turns (a FairQueue): a flood of wrong
 *   passwords from one address delays another address's first check by one check, not by the flood.
 *   When an address already has MAX_WAITING_PER_SOURCE checks waiting, the request is refused with 429
 *   at once; when MAX_WAITING wait in all, the address with the most waiting gives up its newest check
 *   (answered 429) for an address with fewer, so many flooding addresses cannot lock a scraper out. Turns depend on the address only, never on the user name, so
 *   the time to answer still says nothing about which users exist.
 * - Neither the password nor the Authorization header is ever logged.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { FairQueue, PushedOutError } from './fair-queue.js';

const REALM = 'vb365-exporter';
export const WWW_AUTHENTICATE = `Basic realm="${REALM}", charset="UTF-8"`;
/** Most bcrypt checks waiting for their turn before more are refused with 429. */
const MAX_WAITING = 64;
/** Most checks one client address may have waiting: a scraper has one at a time, a flood many. */
const MAX_WAITING_PER_SOURCE = 8;
/** Most remembered successful checks (one per user in practice). */
const MAX_REMEMBERED = 1024;
/** At most one warning per minute about refused checks, so a flood does not flood the log too. */
const WARN_EVERY_MS = 60_000;

export interface BasicAuthOptions {
  /** User name to bcrypt hash; must not be empty. */
  readonly users: ReadonlyMap<string, string>;
  /** Exact request paths served without credentials. */
  readonly unauthenticatedPaths: readonly string[];
  /** bcrypt's compare, off the main thread (a BcryptWorker's). */
  readonly compare: (password: string, hash: string) => Promise<boolean>;
  readonly logger: Logger;
}

export function basicAuth(options: BasicAuthOptions): RequestHandler {
  const verify = verifier(options);
  const exempt = new Set(options.unauthenticatedPaths);
  const remembered = new Set<string>();
  const checks = new FairQueue({ perSource: MAX_WAITING_PER_SOURCE, total: MAX_WAITING });
  const tooMany = tooManyAnswer(checks, options.logger);

  return async (request, response, next) => {
    if (exempt.has(request.path)) return next();
    const credentials = parseAuthorization(request.headers.authorization);
    if (credentials === undefined) return deny(response);
    const key = cacheKey(`${credentials.user}:${credentials.password}`);
    if (remembered.has(key)) return next();
    const check = checks.run(request.socket.remoteAddress ?? '', () => verify(credentials.user, credentials.password));
    if (check === undefined) return tooMany(request, response);
    let ok: boolean;
    try {
      ok = await check;
    } catch (error) {
      if (error instanceof PushedOutError) return tooMany(request, response);
      throw error;
    }
    if (!ok) {
      options.logger.debug({ path: request.path, remote: request.socket.remoteAddress }, 'basic auth failed');
      return deny(response);
    }
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    remembered.add(key);
    next();
  };
}

/** Whether a user and password match, taking as long for an unknown user as for a known one. */
function verifier(options: BasicAuthOptions): (user: string, password: string) => Promise<boolean> {
  const users = [...options.users].map(([name, hash]) => ({ digest: sha256(name), hash }));
  if (users.length === 0) throw new Error('basicAuth needs at least one user');
  // Unknown users are checked against this, at the highest cost configured, so they take as long as known ones.
  const cost = Math.max(...users.map((user) => bcrypt.getRounds(user.hash)));
  const dummyHash = bcrypt.hashSync(randomBytes(18).toString('base64'), cost);
  return async (user, password) => {
    const digest = sha256(user);
    let hash: string | undefined;
    // No early exit: every configured name is compared, whatever matches.
    for (const candidate of users) {
      if (timingSafeEqual(candidate.digest, digest)) hash ??= candidate.hash;
    }
    const matches = await options.compare(password, hash ?? dummyHash).catch((error: unknown) => {
      options.logger.error({ err: error }, 'bcrypt check failed; answering 401');
      return false;
    });
    return matches && hash !== undefined;
  };
}

/** The 429 of a check refused for too many waiting, with a warning at most once a minute. */
function tooManyAnswer(checks: FairQueue, logger: Logger): (request: Request, response: Response) => void {
  let warnedAt = Number.NEGATIVE_INFINITY;
  return (request, response) => {
    if (Date.now() - warnedAt >= WARN_EVERY_MS) {
      warnedAt = Date.now();
      logger.warn(
        { waiting: checks.size, remote: request.socket.remoteAddress },
        'too many basic auth checks waiting; answering 429',
      );
    }
    response
      .status(429)
      .set({ 'Retry-After': '1', 'Cache-Control': 'no-store' })
      .type('text/plain')
      .send('too many requests\n');
  };
}

/** `Basic base64(user:password)`; undefined when absent or malformed. */
function parseAuthorization(header: string | undefined): { user: string; password: string } | undefined {
  const match = header === undefined ? null : /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function deny(response: Response): void {
  response
    .status(401)
    .set({ 'WWW-Authenticate': WWW_AUTHENTICATE, 'Cache-Control': 'no-store' })
    .type('text/plain')
    .send('unauthorized\n');
}

/**
 * Keys of remembered successful checks: an HMAC with a key made at start-up, so a heap dump of the
 * cache cannot be brute-forced faster than bcrypt allows.
 */
const CACHE_KEY_SECRET = randomBytes(32);
function cacheKey(credentials: string): string {
  return createHmac('sha256', CACHE_KEY_SECRET).update(credentials, 'utf8').digest('hex');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
