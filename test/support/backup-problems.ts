/**
 * The seed's "are the backups happening?" problems (a failed job, Fabrikam last backed up 27 h ago,
 * Litware never backed up, the offline and the maintenance proxies) put right, for tests about other
 * problems or about a page with none.
 */
import { SEED_JOB_IDS as JOB, SEED_ORGANIZATION_IDS as ORG, SEED_PROXY_IDS as PROXY } from 'vb365-simulator';
import type { SimulatorData } from 'vb365-simulator';

export function clearBackupProblems(data: SimulatorData, nowMs: number): void {
  const now = new Date(nowMs).toISOString();
  data.updateJob(JOB.fabrikamFailed, { lastStatus: 'Success', lastRun: now, lastBackup: now });
  data.updateOrganization(ORG.fabrikam, { lastBackupTime: now });
  data.updateOrganization(ORG.litware, { isBackedup: true, firstBackupTime: now, lastBackupTime: now });
  data.updateProxy(PROXY.branchOffice, { status: 'Online' });
  data.updateProxy(PROXY.maintenance, { maintenanceModeState: 'Disabled' });
}
