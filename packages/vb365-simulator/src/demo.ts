// The demo's problems on top of the seed data, so `npm run demo` shows the state and licence gauges
// doing something (the seed itself stays as the exporter's tests expect it).
import type { SimulatorData } from './data.js';
import { SEED_REPOSITORY_IDS } from './seed.js';

const GiB = 1024 ** 3;
const DAY_MS = 24 * 3600 * 1000;
/** The Azure object storage's size limit in the demo: 1 TiB, 94 % used. */
export const DEMO_SIZE_LIMIT_GB = 1024;
export const DEMO_OUT_OF_ORDER_REASON = 'invalid state';

export function addDemoState(data: SimulatorData, now = new Date()): void {
  const repo = SEED_REPOSITORY_IDS;
  // Object storage repositories go out of sync with their cache; a local one can be left outdated by an upgrade.
  data.setRepositoryState(repo.contosoS3, { isOutOfSync: true });
  data.setRepositoryState(repo.fabrikamLocal, { isOutdated: true });
  data.setRepositoryState(repo.tailwindOffline, { isOutOfOrder: true, outOfOrderReason: DEMO_OUT_OF_ORDER_REASON });
  data.setObjectStorage(repo.contosoAzure, {
    sizeLimitEnabled: true,
    sizeLimitGB: DEMO_SIZE_LIMIT_GB,
    usedSpaceBytes: Math.round(0.94 * DEMO_SIZE_LIMIT_GB * GiB),
  });
  data.setLicense({
    licenseExpires: new Date(now.getTime() + 20 * DAY_MS).toISOString(),
    gracePeriodExpires: new Date(now.getTime() + 50 * DAY_MS).toISOString(),
  });
}
