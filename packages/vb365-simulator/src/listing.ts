// What every handler shares: the request, the simulator's state, and the ways to answer a listing.
import { errorAnswer, jsonAnswer, type Answer } from './answer.js';
import type { TokenStore } from './auth.js';
import type { SimulatorData } from './data.js';
import { removeAbsentFields } from './absent.js';
import { pageJson, type Json, type PageWindow } from './representations.js';
import type { ApiVersion, ListingRoute, ListingShape, ProductVersion, RouteName, SimulatorStats } from './types.js';

export interface HandlerContext {
  data: SimulatorData;
  tokens: TokenStore;
  stats: SimulatorStats;
  pageSize: number;
  username: string;
  password: string;
  /** The build(s) ServiceInstance reports; undefined (or a version not named): PRODUCT_VERSIONS. */
  productVersion: ProductVersion | undefined;
  /** Listings forced into one shape in every version. */
  listingShapes: Map<ListingRoute, ListingShape>;
  /** Fields left out of a route's answers (see removeAbsentFields). */
  absentFields: Map<RouteName, string[]>;
  /** The status the extended view of Organizations fails with (no backup proxy online), or undefined. */
  extendedViewFailure: number | undefined;
}

export interface IncomingCall {
  method: string;
  /** Query parameters with lower-case names (ASP.NET binds them case-insensitively). */
  query: Map<string, string>;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** A listing's items and how each one becomes JSON (only the items of the answered page are turned). */
export interface Listed<T> {
  readonly items: readonly T[];
  readonly toJson: (item: T) => Json;
}

const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 10_000;

/** A JSON answer without the fields the route is told to leave out. */
export function reply(ctx: HandlerContext, route: RouteName, status: number, value: Json): Answer {
  return jsonAnswer(status, removeAbsentFields(value, ctx.absentFields.get(route) ?? []));
}

/**
 * A listing in the version's own shape, or the one `listingShapes` forces: all items, or one page of
 * them. `withTotalCount`: the page carries `totalCount` (the v6/v7 pages whose document has it).
 */
export function listingAnswer<T>(
  ctx: HandlerContext,
  version: ApiVersion,
  route: ListingRoute,
  native: ListingShape,
  listed: Listed<T>,
  call: IncomingCall,
  basePath: string,
  withTotalCount = false,
): Answer {
  const { items, toJson } = listed;
  const shape = ctx.listingShapes.get(route) ?? native;
  if (shape === 'array') return reply(ctx, route, 200, items.map(toJson));
  const window = parsePageWindow(call.query);
  if (typeof window === 'string') return errorAnswer(400, version, window, 'ParameterValidationFailure');
  // A forced page keeps the other parameters in its links (a v6 next link without extendedView=false
  // would turn the extended view on). Native pages keep their links as they always were.
  const kept = shape === native ? [] : [...call.query].filter(([name]) => name !== 'offset' && name !== 'limit');
  const base = kept.length === 0 ? basePath : `${basePath}?${new URLSearchParams(kept).toString()}`;
  const page = pageJson(items, toJson, window, ctx.pageSize, base);
  if (withTotalCount) page['totalCount'] = items.length;
  return reply(ctx, route, 200, page);
}

/** offset >= 0 (default 0) and limit >= 1 (default 30, capped at 10000); an error message otherwise. */
function parsePageWindow(query: Map<string, string>): PageWindow | string {
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
