// Answers one routed request from the model, per API version.
import { emptyAnswer, errorAnswer, jsonAnswer, notFoundAnswer, unauthorizedAnswer, type Answer } from './answer.js';
import type { IssuedTokens, TokenStore } from './auth.js';
import type { SimulatorData } from './data.js';
import {
  backupRepositoryJson,
  organizationJson,
  pageJson,
  usedRepositoryJson,
  type Json,
  type PageWindow,
} from './representations.js';
import type { RouteMatch } from './routes.js';
import type { ApiVersion, SimulatorStats } from './types.js';

export interface HandlerContext {
  data: SimulatorData;
  tokens: TokenStore;
  stats: SimulatorStats;
  pageSize: number;
  username: string;
  password: string;
}

export interface IncomingCall {
  method: string;
  /** Query parameters with lower-case names (ASP.NET binds them case-insensitively). */
  query: Map<string, string>;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 10_000;
const INSTALLATION_ID = 'd1c0ffee-0b5e-4c3a-9e65-5eed00000001';
const PRODUCT_VERSIONS: Record<ApiVersion, string> = { v6: '6.1.0.222', v7: '7.1.0.2031', v8: '8.1.0.305' };

export function handleCall(ctx: HandlerContext, match: RouteMatch, call: IncomingCall): Answer {
  if (match.route === 'unknown') return notFoundAnswer();
  const { version } = match;
  if (call.method !== match.method) {
    return errorAnswer(405, version, `The requested resource does not support http method '${call.method}'.`);
  }
  if (match.route === 'token') return handleToken(ctx, call);

  const accessToken = ctx.tokens.validAccessToken(call.authorization);
  if (accessToken === undefined) return unauthorizedAnswer(version);

  switch (match.route) {
    case 'logout':
      ctx.tokens.revoke(accessToken);
      return emptyAnswer(version === 'v8' ? 204 : 200);
    case 'service_instance':
      return jsonAnswer(200, { installationId: INSTALLATION_ID, version: PRODUCT_VERSIONS[version] });
    case 'organizations':
      return handleOrganizations(ctx, version, match.organizationId, call);
    case 'used_repositories':
      return handleUsedRepositories(ctx, version, match.organizationId, call);
    case 'backup_repositories':
      return handleBackupRepositories(ctx, version, match.repositoryId, call);
  }
}

/** Every version answers the same token shape. */
function handleToken(ctx: HandlerContext, call: IncomingCall): Answer {
  const form = parseTokenForm(call);
  const grantType = form.get('grant_type');
  let issued: IssuedTokens | undefined;
  if (grantType === 'password') {
    const valid = form.get('username') === ctx.username && form.get('password') === ctx.password;
    issued = valid ? ctx.tokens.issue(ctx.username) : undefined;
    if (issued) ctx.stats.tokenGrants.password++;
    else return failedGrant(ctx, 'invalid_grant', 'The user name or password is incorrect.');
  } else if (grantType === 'refresh_token') {
    issued = ctx.tokens.refresh(form.get('refresh_token') ?? '');
    if (issued) ctx.stats.tokenGrants.refresh_token++;
    else return failedGrant(ctx, 'invalid_grant', 'The refresh token is invalid or expired.');
  } else {
    return failedGrant(ctx, 'unsupported_grant_type', `Grant type '${grantType ?? ''}' is not supported.`);
  }
  return jsonAnswer(200, {
    access_token: issued.accessToken,
    token_type: 'bearer',
    expires_in: issued.lifetimeSeconds,
    refresh_token: issued.refreshToken,
    userName: issued.userName,
    // The schema declares date-time (RFC 3339), so ISO strings rather than OWIN's RFC 1123 dates.
    '.issued': issued.issuedAt.toISOString(),
    '.expires': issued.expiresAt.toISOString(),
  });
}

function failedGrant(ctx: HandlerContext, error: string, description: string): Answer {
  ctx.stats.tokenGrants.failed++;
  return jsonAnswer(400, { error, error_description: description });
}

/** The spec accepts form-urlencoded and JSON bodies. */
function parseTokenForm(call: IncomingCall): Map<string, string> {
  if (call.contentType?.toLowerCase().includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(call.body);
      if (parsed && typeof parsed === 'object') {
        return new Map(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
      }
    } catch {
      // falls through to an empty form: the grant fails as unsupported
    }
    return new Map();
  }
  return new Map(new URLSearchParams(call.body));
}

function handleOrganizations(
  ctx: HandlerContext,
  version: ApiVersion,
  organizationId: string | undefined,
  call: IncomingCall,
): Answer {
  // extendedView defaults to true in v6 and false later.
  const extendedParam = call.query.get('extendedview')?.toLowerCase();
  const extendedView = extendedParam === undefined ? version === 'v6' : extendedParam === 'true';
  if (organizationId !== undefined) {
    const organization = ctx.data.getOrganization(organizationId);
    if (!organization) return organizationNotFound(version, organizationId);
    return jsonAnswer(200, organizationJson(organization, version, extendedView));
  }
  const items = [...ctx.data.organizations.values()].map((o) => organizationJson(o, version, extendedView));
  if (version !== 'v8') return jsonAnswer(200, items);
  return pagedAnswer(ctx, version, items, call, `/${version}/Organizations`);
}

function handleUsedRepositories(
  ctx: HandlerContext,
  version: ApiVersion,
  organizationId: string,
  call: IncomingCall,
): Answer {
  const organization = ctx.data.getOrganization(organizationId);
  if (!organization) return organizationNotFound(version, organizationId);
  const items = organization.usedRepositories.map((u) => usedRepositoryJson(u, version));
  return pagedAnswer(ctx, version, items, call, `/${version}/Organizations/${organization.id}/usedRepositories`);
}

function handleBackupRepositories(
  ctx: HandlerContext,
  version: ApiVersion,
  repositoryId: string | undefined,
  call: IncomingCall,
): Answer {
  if (repositoryId !== undefined) {
    const repository = ctx.data.getBackupRepository(repositoryId);
    if (!repository) return notFoundAnswer(version, `Backup repository with ID '${repositoryId}' was not found.`);
    return jsonAnswer(200, backupRepositoryJson(repository, version));
  }
  const items = [...ctx.data.backupRepositories.values()].map((r) => backupRepositoryJson(r, version));
  if (version !== 'v8') return jsonAnswer(200, items);
  return pagedAnswer(ctx, version, items, call, `/${version}/BackupRepositories`);
}

function organizationNotFound(version: ApiVersion, organizationId: string): Answer {
  return notFoundAnswer(version, `Organization with ID '${organizationId}' was not found.`);
}

function pagedAnswer(
  ctx: HandlerContext,
  version: ApiVersion,
  items: Json[],
  call: IncomingCall,
  basePath: string,
): Answer {
  const window = parsePageWindow(call.query);
  if (typeof window === 'string') return errorAnswer(400, version, window, 'ParameterValidationFailure');
  return jsonAnswer(200, pageJson(items, window, ctx.pageSize, basePath));
}

/** offset >= 0 (default 0) and limit >= 1 (default 30, capped at 10000); an error message otherwise. */
export function parsePageWindow(query: Map<string, string>): PageWindow | string {
  const offset = parseNonNegativeInteger(query.get('offset'), 0);
  const limit = parseNonNegativeInteger(query.get('limit'), DEFAULT_LIMIT);
  if (offset === undefined) return `The value '${query.get('offset') ?? ''}' is not valid for offset.`;
  if (limit === undefined || limit < 1) return `The value '${query.get('limit') ?? ''}' is not valid for limit.`;
  return { offset, limit: Math.min(limit, MAX_LIMIT) };
}

function parseNonNegativeInteger(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,9}$/.test(text)) return undefined;
  return Number(text);
}
