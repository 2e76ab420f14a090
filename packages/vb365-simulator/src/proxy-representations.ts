// The JSON each API version answers for a backup proxy server. Only v8 reports the maintenance mode, CPU,
// memory and version; v6/v7 add the thread count and throttling only in the extended view of an online proxy.
import type { SimulatedProxy } from './proxy-model.js';
import type { Json } from './representations.js';
import type { ApiVersion } from './types.js';

type JsonObject = { [key: string]: Json };

export function proxyJson(proxy: SimulatedProxy, version: ApiVersion, extendedView: boolean): JsonObject {
  const body: JsonObject = { type: proxy.type, useInternetProxy: false };
  if (version === 'v8') body['operatingSystem'] = proxy.operatingSystem;
  body['id'] = proxy.id;
  if (version === 'v8') body['proxyPoolId'] = null;
  body['hostName'] = proxy.hostName;
  if (version !== 'v6') body['fqdn'] = proxy.fqdn;
  body['description'] = proxy.description;
  body['port'] = proxy.port;
  // v6/v7: "if the proxy server is online, returns all properties"; offline ones answer the short form.
  const full = version === 'v8' || (extendedView && proxy.status === 'Online');
  if (full && version !== 'v8') body['threadsNumber'] = proxy.threadsNumber;
  body['enableNetworkThrottling'] = false;
  if (full) {
    body['throttlingValue'] = 0;
    body['throttlingUnit'] = 'Mbps';
  }
  body['status'] = proxy.status;
  if (version === 'v8') {
    body['maintenanceModeState'] = proxy.maintenanceModeState;
    body['cpuUsagePercent'] = proxy.cpuUsagePercent;
    body['memoryUsagePercent'] = proxy.memoryUsagePercent;
    body['version'] = proxy.version;
    body['serviceAccount'] = proxy.serviceAccount;
    body['role'] = [...proxy.roles];
  }
  body['_links'] = { self: { href: `/${version}/Proxies/${proxy.id}` } };
  return body;
}
