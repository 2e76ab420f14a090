/**
 * The backup proxies: `GET /{v}/Proxies` once a cycle (one plain array in v6/v7, pages in v8). Whether each
 * is online; on v8 also its maintenance mode, CPU and memory use and its version. A failed listing keeps
 * the last values. Proxies serve the whole server: with shards, the shard that owns the empty
 * organization ID exports them, so each is exported once.
 */
import type { ApiVersion } from '../config/types.js';
import { escapeHtml } from '../http/status/format.js';
import { label } from '../metrics/label-value.js';
import { isObject, kindOf, reject, text, uuid, type ItemResult, type Json } from '../vb365/fields.js';
import type { ItemRules } from '../vb365/parse.js';
import { pageQueryFrom, unpagedIn, type Route } from '../vb365/routes.js';
import { sortedById } from './by-id.js';
import type { CycleState, Emit, Fact, FamilyView, Problem } from './fact.js';
import { keptOnFailure, logRejected } from './reading.js';
import { flag } from './samples.js';
import { CACHED } from './wording.js';

export interface Proxy {
  readonly id: string;
  readonly hostName: string;
  /** v8 only; '' before. */
  readonly version: string;
  /** `status` Online (true) or Offline (false); null where not reported. */
  readonly online: boolean | null;
  /** v8 `maintenanceModeState` Enabled or Enabling (true), Disabled (false); null before v8. */
  readonly maintenance: boolean | null;
  /** v8 `cpuUsagePercent` / 100. */
  readonly cpuUsageRatio: number | null;
  readonly memoryUsageRatio: number | null;
}

export interface ProxiesSlice {
  /** In ID order. */
  readonly proxies: readonly Proxy[];
}

type View = CycleState & ProxiesSlice;

export const proxiesRoute = (version: ApiVersion): Route => ({
  endpoint: 'proxies',
  path: `/${version}/Proxies${pageQueryFrom(version, '?')}`,
  unpaged: unpagedIn(version),
});

function parseProxy(item: unknown): ItemResult<Proxy> {
  if (!isObject(item)) return reject(`expected an object, got ${kindOf(item)}`);
  const id = uuid(item['id']);
  if (id === undefined) return reject(`"id" is not a UUID (${kindOf(item['id'])})`);
  const cpu = percent(item, 'cpuUsagePercent');
  if (!cpu.ok) return reject(`${cpu.reason} for proxy ${id}`);
  const memory = percent(item, 'memoryUsagePercent');
  if (!memory.ok) return reject(`${memory.reason} for proxy ${id}`);
  const status = item['status'];
  const maintenance = item['maintenanceModeState'];
  return {
    ok: true,
    value: {
      id,
      hostName: text(item['hostName']),
      version: text(item['version']),
      online: status === 'Online' ? true : typeof status === 'string' ? false : null,
      maintenance:
        maintenance === 'Enabled' || maintenance === 'Enabling' ? true : typeof maintenance === 'string' ? false : null,
      cpuUsageRatio: cpu.value,
      memoryUsageRatio: memory.value,
    },
  };
}

/** A percentage as a ratio; null where not reported; refused outside 0-100 (allowing a rounding spill to 100.5). */
function percent(item: Json, key: string): ItemResult<number | null> {
  const value = item[key];
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100.5)
    return reject(`"${key}" is not a percentage (${kindOf(value)}${typeof value === 'number' ? ` ${value}` : ''})`);
  return { ok: true, value: value / 100 };
}

const proxyItems: ItemRules<Proxy> = { parse: parseProxy, idOf: (proxy) => proxy.id };

const perProxy =
  (value: (proxy: Proxy) => number | null) =>
  ({ server }: FamilyView<View>, emit: Emit): void => {
    for (const proxy of server.proxies) emit(value(proxy), undefined, undefined, label('proxy_id', proxy.id));
  };

function problems(server: View): Problem[] {
  const found: Problem[] = [];
  for (const proxy of server.proxies) {
    const what = proxy.hostName === '' ? proxy.id : proxy.hostName;
    const base = {
      server: server.name,
      what,
      sinceMs: undefined,
      sinceText: 'as last read',
      sample: [],
      organizations: 0,
    };
    // As VB365ProxyOffline: a proxy put in maintenance is expected to go offline; that row says so.
    if (proxy.online === false && proxy.maintenance !== true)
      found.push({
        ...base,
        kind: 'proxy-offline',
        severity: 'critical',
        words: 'Offline (status): its jobs cannot run',
      });
    if (proxy.maintenance === true)
      found.push({
        ...base,
        kind: 'proxy-maintenance',
        severity: 'warning',
        words: 'in maintenance mode (maintenanceModeState)',
      });
  }
  return found;
}

export const proxiesFact: Fact<View, ProxiesSlice, readonly Proxy[] | undefined> = {
  name: 'proxies',
  initial: { proxies: [] },
  read: async (context) => {
    if (!context.owns('')) return [];
    return keptOnFailure(context, 'backup proxies', async () => {
      const listing = await context.client.listing(proxiesRoute, proxyItems, context.signal);
      logRejected(context.logger, 'backup proxies', listing);
      return sortedById(listing.items);
    });
  },
  next: (previous, read) => ({ proxies: read ?? previous.proxies }),
  families: [
    {
      name: 'veeam_vb365_proxy_info',
      help: `Every backup proxy with its host name and version (v8; empty before); always 1. ${CACHED}`,
      samples: ({ server }, emit) => {
        for (const proxy of server.proxies)
          emit(
            1,
            undefined,
            undefined,
            `${label('proxy_id', proxy.id)}${label('host_name', proxy.hostName)}${label('version', proxy.version)}`,
          );
      },
    },
    {
      name: 'veeam_vb365_proxy_online',
      help: `Whether the backup proxy is Online (status: 1) or not (0). ${CACHED}`,
      samples: perProxy((proxy) => flag(proxy.online)),
    },
    {
      name: 'veeam_vb365_proxy_maintenance',
      help: `Whether the backup proxy is in maintenance mode (maintenanceModeState Enabled or Enabling: 1) or not (0); v8 only. ${CACHED}`,
      samples: perProxy((proxy) => flag(proxy.maintenance)),
    },
    {
      name: 'veeam_vb365_proxy_cpu_usage_ratio',
      help: `CPU use of the backup proxy's host (cpuUsagePercent / 100); v8 only. ${CACHED}`,
      samples: perProxy((proxy) => proxy.cpuUsageRatio),
    },
    {
      name: 'veeam_vb365_proxy_memory_usage_ratio',
      help: `Memory use of the backup proxy's host (memoryUsagePercent / 100); v8 only. ${CACHED}`,
      samples: perProxy((proxy) => proxy.memoryUsageRatio),
    },
  ],
  problemKinds: [
    { kind: 'proxy-offline', label: 'Proxy offline', rank: 36 },
    { kind: 'proxy-maintenance', label: 'Proxy in maintenance', rank: 95 },
  ],
  problems,
  columns: [
    {
      heading: 'Proxies',
      describes: 'its backup proxies',
      cell: (server) => {
        if (server.proxies.length === 0) return 'none known';
        const offline = server.proxies.filter((proxy) => proxy.online === false).length;
        const badge =
          offline === 0
            ? '<span class="badge ok">all online</span>'
            : `<span class="badge critical">${offline} offline</span>`;
        return `${badge} ${escapeHtml(`${server.proxies.length} proxies`)}`;
      },
    },
  ],
};
