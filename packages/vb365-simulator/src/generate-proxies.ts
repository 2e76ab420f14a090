// Deterministic backup proxy servers for load tests of the proxies route: all online, none in maintenance.
import type { ProxyInput } from './proxy-model.js';
import { randomInt, randomUuid, seededRandom } from './random.js';

export function generateProxy(index: number): ProxyInput {
  const random = seededRandom(0x9e0c0000 + index);
  const number = String(index + 1).padStart(3, '0');
  return {
    id: randomUuid(random),
    hostName: `proxy-${number}`,
    fqdn: `proxy-${number}.gen.local`,
    description: `Generated proxy ${number}`,
    status: 'Online',
    maintenanceModeState: 'Disabled',
    // Whole tenths of a percent, as a server would round them.
    cpuUsagePercent: randomInt(random, 1000) / 10,
    memoryUsagePercent: randomInt(random, 1000) / 10,
    version: '8.1.0.305',
    operatingSystem: index % 5 === 4 ? 'Linux' : 'Windows',
    serviceAccount: 'GEN\\svc-vb365',
    roles: ['Processor'],
  };
}
