// Answers `/{v}/Proxies` and `/{v}/Proxies/{proxyId}`: a plain array in v6/v7, pages in v8.
import { notFoundAnswer, type Answer } from './answer.js';
import { listingAnswer, reply, type HandlerContext, type IncomingCall } from './listing.js';
import type { SimulatedProxy } from './proxy-model.js';
import { proxyJson } from './proxy-representations.js';
import type { Json } from './representations.js';
import type { ApiVersion } from './types.js';

export function handleProxies(
  ctx: HandlerContext,
  version: ApiVersion,
  proxyId: string | undefined,
  call: IncomingCall,
): Answer {
  // v6/v7 only; defaults true in v6 and false in v7, as for Organizations. v8 has no such parameter.
  const extendedParam = call.query.get('extendedview')?.toLowerCase();
  const extendedView = extendedParam === undefined ? version === 'v6' : extendedParam === 'true';
  const toJson = (proxy: SimulatedProxy): Json => proxyJson(proxy, version, extendedView);
  if (proxyId !== undefined) {
    const proxy = ctx.data.getProxy(proxyId);
    if (!proxy) return notFoundAnswer(version, `Backup proxy server with ID '${proxyId}' was not found.`);
    return reply(ctx, 'proxies', 200, toJson(proxy));
  }
  const items = [...ctx.data.proxies.values()];
  const native = version === 'v8' ? 'page' : 'array';
  return listingAnswer(ctx, version, 'proxies', native, { items, toJson }, call, `/${version}/Proxies`);
}
