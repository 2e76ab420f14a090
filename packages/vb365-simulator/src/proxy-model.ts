// Backup proxy servers as the simulator keeps them (proxy-representations.ts answers them per version).

export type ProxyRole = 'Unknown' | 'Orchestrator' | 'Scheduler' | 'ApplianceProcessor' | 'Processor';

export interface SimulatedProxy {
  id: string;
  hostName: string;
  fqdn: string;
  description: string;
  type: 'Local' | 'Domain' | 'Workgroup';
  port: number;
  threadsNumber: number;
  status: 'Online' | 'Offline';
  /** v8 only. */
  maintenanceModeState: 'Disabled' | 'Enabling' | 'Enabled';
  /** v8 only; null when not reported (an offline proxy reports nothing). */
  cpuUsagePercent: number | null;
  memoryUsagePercent: number | null;
  /** v8 only: the VB365 build installed on the proxy. */
  version: string | null;
  operatingSystem: 'Windows' | 'Linux';
  serviceAccount: string | null;
  roles: ProxyRole[];
}

type WithDefaults<T, K extends keyof T> = Pick<T, K> & Partial<Omit<T, K>>;

export type ProxyInput = WithDefaults<SimulatedProxy, 'id' | 'hostName'>;
export type ProxyChanges = Partial<Omit<SimulatedProxy, 'id'>>;

export function toProxy(input: ProxyInput): SimulatedProxy {
  return {
    id: input.id.toLowerCase(),
    hostName: input.hostName,
    fqdn: input.fqdn ?? input.hostName,
    description: input.description ?? '',
    type: input.type ?? 'Domain',
    port: input.port ?? 9193,
    threadsNumber: input.threadsNumber ?? 64,
    status: input.status ?? 'Online',
    maintenanceModeState: input.maintenanceModeState ?? 'Disabled',
    cpuUsagePercent: input.cpuUsagePercent === undefined ? null : input.cpuUsagePercent,
    memoryUsagePercent: input.memoryUsagePercent === undefined ? null : input.memoryUsagePercent,
    version: input.version ?? null,
    operatingSystem: input.operatingSystem ?? 'Windows',
    serviceAccount: input.serviceAccount ?? null,
    roles: input.roles ?? ['Processor'],
  };
}
