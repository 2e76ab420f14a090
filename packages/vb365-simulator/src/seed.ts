// Seed data: the product documentation's example organization plus a few edge cases, and jobs and proxies
// in every state a monitor cares about. Times are relative to the simulator's start (data.startedAtMs).
import type { SimulatorData } from './data.js';
import { DEFAULT_PROXY_ID } from './model.js';

/** Organization IDs of the seed data. */
export const SEED_ORGANIZATION_IDS = {
  /** The documentation's example ("Contoso"): three repositories with the documented byte values. */
  contoso: '7665cf30-ee89-4d0d-a343-2776da77ed79',
  /** Shares the local repository `nordLocal` with Contoso and has one of its own. */
  fabrikam: '2b1f0c9e-5d43-4a8e-9f61-3c7a8e0d4b12',
  /** One repository whose byte counts are all null. */
  northwind: '9c3e7a51-0f2d-4b6c-8e19-a47d2c5f6e83',
  /** One available repository and one unavailable ("Proxy is offline"). */
  tailwind: '4d8a2f6b-91c3-4e57-b0a8-6f1e3d9c2a74',
  /** No used repositories at all (empty page). */
  litware: 'e5f60718-2a3b-4c4d-9e5f-60718293a4b5',
} as const;

/** Backup repository IDs of the seed data. */
export const SEED_REPOSITORY_IDS = {
  /** Object storage with a local cache (documentation example, first row). */
  contosoAzure: 'cfe34111-3331-45c0-babf-0be32e030444',
  /** Object storage only (documentation example, second row). */
  contosoS3: '880cb276-127e-4da1-96c1-0d97ecdecd4d',
  /** Local JET repository named `Repo "Nord" \ München` (documentation example, third row). */
  nordLocal: 'e412ad5a-a100-462b-8fca-85d7c6415f06',
  fabrikamLocal: '5a7c9e1b-3d5f-4a6b-8c0d-2e4f6a8b0c1d',
  northwindUnknownSize: '6b8d0f2a-4c6e-4b7a-9d1e-3f5a7b9c1d2e',
  tailwindLocal: '7c9e1a3b-5d7f-4c8b-a02f-4a6b8c0d2e3f',
  tailwindOffline: '8d0f2b4c-6e8a-4d9c-b13a-5b7c9d1e3f4a',
} as const;

/** The backed-up organization IDs (v8) of the seed organizations that have backups: all differ from their IDs. */
export const SEED_BACKED_UP_ORGANIZATION_IDS = {
  contoso: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
  fabrikam: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  northwind: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
  tailwind: '4f5a6b7c-8d9e-4fa0-b1c2-d3e4f5a6b7c8',
} as const;

/** Backup proxy server IDs of the seed data. */
export const SEED_PROXY_IDS = {
  /** The backup server's own proxy: online, holds most repositories. */
  local: DEFAULT_PROXY_ID,
  /** The branch office proxy: offline (Tailwind's `tailwindOffline` repository is behind it). */
  branchOffice: '5c0d3a7e-8b1f-4e2a-9c6d-7f3b2a1e0d9c',
  /** Online, in maintenance mode (only v8 reports it). */
  maintenance: '6d1e4b8f-9c2a-4f3b-8d7e-8a4c3b2f1e0d',
  /** Online, a Linux proxy. */
  linux: '7e2f5c9a-ad3b-4a4c-9e8f-9b5d4c3a2f1e',
} as const;

/** Backup job IDs of the seed data, each in one state a monitor must tell apart. */
export const SEED_JOB_IDS = {
  /** Contoso, daily to `contosoAzure`: succeeded 3 hours ago. */
  contosoDaily: '1f6b2c4d-8e0a-4b1c-9d2e-3f4a5b6c7d01',
  /** Contoso, daily to `nordLocal`: running (started 10 minutes ago; last success 24 h 10 min ago). */
  contosoRunning: '1f6b2c4d-8e0a-4b1c-9d2e-3f4a5b6c7d02',
  /** Fabrikam, daily to `fabrikamLocal`: failed 3 hours ago; last success 27 hours ago. */
  fabrikamFailed: '1f6b2c4d-8e0a-4b1c-9d2e-3f4a5b6c7d03',
  /** Northwind, daily to `northwindUnknownSize`: warning 4 hours ago. */
  northwindWarning: '1f6b2c4d-8e0a-4b1c-9d2e-3f4a5b6c7d04',
  /** Northwind, named SEED_HOSTILE_JOB_NAME: succeeded 6 hours ago. */
  northwindHostile: '1f6b2c4d-8e0a-4b1c-9d2e-3f4a5b6c7d05',
  /** Tailwind, hourly to `tailwindLocal`: enabled, not running, next run 2 hours in the past (overdue). */
  tailwindOverdue: '1f6b2c4d-8e0a-4b1c-9d2e-3f4a5b6c7d06',
  /** Tailwind, to `tailwindOffline`: disabled (no next run), last run 10 days ago. */
  tailwindDisabled: '1f6b2c4d-8e0a-4b1c-9d2e-3f4a5b6c7d07',
} as const;

/** Backup copy job IDs of the seed data. */
export const SEED_COPY_JOB_IDS = {
  /** Copies `contosoDaily` to the long-term `contosoS3` archive right after it: succeeded. */
  contosoArchive: '2e7c3d5e-9f1b-4c2d-8e3f-4a5b6c7d8e01',
} as const;

/** Name chosen to exercise escaping: double quote, backslash and a non-ASCII letter. */
export const SEED_NORD_REPOSITORY_NAME = 'Repo "Nord" \\ München';
export const SEED_OFFLINE_DETAILS = 'Proxy is offline';
/** A job name with everything an exposition or a page must escape: quotes, a backslash, a newline, markup. */
export const SEED_HOSTILE_JOB_NAME = 'Nightly "Mailboxes" \\ Teams\n<script>alert(1)</script>';

const TiB = 1024 ** 4;
const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export function addSeedData(data: SimulatorData): void {
  const repo = SEED_REPOSITORY_IDS;
  const org = SEED_ORGANIZATION_IDS;
  const backedUp = SEED_BACKED_UP_ORGANIZATION_IDS;
  /** The ISO time `ms` before the simulator's start. */
  const ago = (ms: number): string => new Date(data.startedAtMs - ms).toISOString();

  data.addBackupRepository({
    id: repo.contosoAzure,
    name: 'Azure Blob Contoso',
    description: 'Azure Blob Storage with local cache',
    path: 'C:\\VeeamCache\\AzureContoso',
    objectStorage: {
      id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
      name: 'contoso-blob',
      type: 'AzureBlob',
      usedSpaceBytes: 2499432773,
    },
  });
  data.addBackupRepository({
    id: repo.contosoS3,
    name: 'S3 Archive',
    description: 'Amazon S3 Glacier, long-term',
    path: 'C:\\VeeamCache\\S3Archive',
    isLongTerm: true,
    objectStorage: {
      id: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e',
      name: 'contoso-archive',
      type: 'AmazonS3Glacier',
      usedSpaceBytes: 2348310138,
    },
  });
  data.addBackupRepository({
    id: repo.nordLocal,
    name: SEED_NORD_REPOSITORY_NAME,
    description: 'Lokales Repository im Rechenzentrum Nord',
    path: 'E:\\Backups\\Nord',
    capacityBytes: 20 * TiB,
    freeSpaceBytes: 12 * TiB,
  });
  data.addBackupRepository({
    id: repo.fabrikamLocal,
    name: 'Fabrikam Local',
    description: '',
    path: 'F:\\Backups\\Fabrikam',
    capacityBytes: 8 * TiB,
    freeSpaceBytes: 3 * TiB,
  });
  data.addBackupRepository({
    id: repo.northwindUnknownSize,
    name: 'Northwind Wasabi',
    description: 'Size not reported yet',
    path: 'C:\\VeeamCache\\Wasabi',
    objectStorage: {
      id: 'c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f',
      name: 'northwind-wasabi',
      type: 'WasabiCloud',
      usedSpaceBytes: null,
    },
  });
  data.addBackupRepository({
    id: repo.tailwindLocal,
    name: 'Tailwind Local',
    path: 'G:\\Backups\\Tailwind',
    capacityBytes: 4 * TiB,
    freeSpaceBytes: 1 * TiB,
  });
  data.addBackupRepository({
    id: repo.tailwindOffline,
    name: 'Tailwind Branch Office',
    description: 'Behind the branch office proxy',
    path: 'H:\\Backups\\Branch',
    proxyId: SEED_PROXY_IDS.branchOffice,
    capacityBytes: 2 * TiB,
    freeSpaceBytes: 512 * 1024 ** 3,
  });

  data.addOrganization({
    id: org.contoso,
    name: 'Contoso',
    officeName: 'contoso.onmicrosoft.com',
    type: 'Office365',
    description: 'The documentation example',
    msid: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    backedUpOrganizationId: backedUp.contoso,
    firstBackupTime: '2023-03-01T02:00:00Z',
    lastBackupTime: ago(3 * HOUR_MS),
    usedRepositories: [
      {
        repositoryId: repo.contosoAzure,
        usedSpaceBytes: 0,
        localCacheUsedSpaceBytes: 3473408,
        objectStorageUsedSpaceBytes: 2499432773,
        protectedObjectsCount: 120,
      },
      {
        repositoryId: repo.contosoS3,
        usedSpaceBytes: 0,
        localCacheUsedSpaceBytes: 0,
        objectStorageUsedSpaceBytes: 2348310138,
        protectedObjectsCount: 118,
      },
      {
        repositoryId: repo.nordLocal,
        usedSpaceBytes: 9559506944,
        localCacheUsedSpaceBytes: 0,
        objectStorageUsedSpaceBytes: 0,
        protectedObjectsCount: null,
      },
    ],
  });
  data.addOrganization({
    id: org.fabrikam,
    name: 'Fabrikam',
    officeName: 'fabrikam.onmicrosoft.com',
    type: 'Office365',
    msid: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    backedUpOrganizationId: backedUp.fabrikam,
    // Its job failed since: the last backup is 27 hours old.
    firstBackupTime: '2024-02-01T01:00:00Z',
    lastBackupTime: ago(27 * HOUR_MS),
    usedRepositories: [
      { repositoryId: repo.nordLocal, usedSpaceBytes: 1234567890, protectedObjectsCount: null },
      { repositoryId: repo.fabrikamLocal, usedSpaceBytes: 987654321012, protectedObjectsCount: null },
    ],
  });
  data.addOrganization({
    id: org.northwind,
    name: 'Northwind Traders',
    officeName: 'northwind.local',
    type: 'OnPremises',
    description: 'On-premises Exchange',
    backedUpOrganizationId: backedUp.northwind,
    firstBackupTime: '2023-09-15T03:00:00Z',
    lastBackupTime: ago(4 * HOUR_MS),
    usedRepositories: [
      {
        repositoryId: repo.northwindUnknownSize,
        usedSpaceBytes: null,
        localCacheUsedSpaceBytes: null,
        objectStorageUsedSpaceBytes: null,
        protectedObjectsCount: null,
      },
    ],
  });
  data.addOrganization({
    id: org.tailwind,
    name: 'Tailwind Toys',
    officeName: 'tailwindtoys.onmicrosoft.com',
    type: 'Hybrid',
    backedUpOrganizationId: backedUp.tailwind,
    firstBackupTime: '2024-06-01T00:00:00Z',
    lastBackupTime: ago(3 * HOUR_MS),
    usedRepositories: [
      { repositoryId: repo.tailwindLocal, usedSpaceBytes: 52428800000 },
      {
        repositoryId: repo.tailwindOffline,
        usedSpaceBytes: 7340032000,
        isAvailable: false,
        details: SEED_OFFLINE_DETAILS,
      },
    ],
  });
  data.addOrganization({
    id: org.litware,
    name: 'Litware',
    officeName: 'litware.onmicrosoft.com',
    type: 'Office365',
    description: 'Added recently, nothing backed up yet',
    isBackedup: false,
    usedRepositories: [],
  });
  addSeedProxies(data);
  addSeedJobs(data, ago);
}

function addSeedProxies(data: SimulatorData): void {
  const proxy = SEED_PROXY_IDS;
  const version = '8.1.0.305';
  data.addProxy({
    id: proxy.local,
    hostName: 'vb365-backup',
    fqdn: 'vb365-backup.contoso.local',
    description: 'The backup server itself',
    type: 'Local',
    cpuUsagePercent: 23.5,
    memoryUsagePercent: 61.2,
    version,
    serviceAccount: 'CONTOSO\\svc-vb365',
    roles: ['Orchestrator', 'Scheduler', 'Processor'],
  });
  data.addProxy({
    id: proxy.branchOffice,
    hostName: 'proxy-branch',
    fqdn: 'proxy-branch.tailwind.local',
    description: 'Branch office proxy',
    status: 'Offline',
    // An offline proxy reports no load.
    cpuUsagePercent: null,
    memoryUsagePercent: null,
    version,
    serviceAccount: 'TAILWIND\\svc-vb365',
  });
  data.addProxy({
    id: proxy.maintenance,
    hostName: 'proxy-maint',
    fqdn: 'proxy-maint.contoso.local',
    description: 'Being patched',
    maintenanceModeState: 'Enabled',
    cpuUsagePercent: 1.5,
    memoryUsagePercent: 18,
    version,
    serviceAccount: 'CONTOSO\\svc-vb365',
  });
  data.addProxy({
    id: proxy.linux,
    hostName: 'proxy-linux',
    fqdn: 'proxy-linux.contoso.local',
    description: 'Linux proxy',
    operatingSystem: 'Linux',
    cpuUsagePercent: 47.3,
    memoryUsagePercent: 72.8,
    version,
    serviceAccount: 'vb365',
  });
}

function addSeedJobs(data: SimulatorData, ago: (ms: number) => string): void {
  const job = SEED_JOB_IDS;
  const org = SEED_ORGANIZATION_IDS;
  const repo = SEED_REPOSITORY_IDS;
  const daily = (lastRunMs: number): { lastRun: string; nextRun: string } => ({
    lastRun: ago(lastRunMs),
    nextRun: ago(lastRunMs - DAY_MS),
  });
  data.addJob({
    id: job.contosoDaily,
    organizationId: org.contoso,
    repositoryId: repo.contosoAzure,
    name: 'Contoso Daily',
    description: 'Every mailbox, site and team',
    ...daily(3 * HOUR_MS),
    lastStatus: 'Success',
    lastBackup: ago(3 * HOUR_MS),
  });
  data.addJob({
    id: job.contosoRunning,
    organizationId: org.contoso,
    repositoryId: repo.nordLocal,
    name: 'Contoso Nord',
    lastRun: ago(10 * MINUTE_MS),
    nextRun: ago(10 * MINUTE_MS - DAY_MS),
    lastStatus: 'Running',
    lastBackup: ago(DAY_MS + 10 * MINUTE_MS),
  });
  data.addJob({
    id: job.fabrikamFailed,
    organizationId: org.fabrikam,
    repositoryId: repo.fabrikamLocal,
    name: 'Fabrikam Daily',
    ...daily(3 * HOUR_MS),
    lastStatus: 'Failed',
    lastBackup: ago(27 * HOUR_MS),
  });
  data.addJob({
    id: job.northwindWarning,
    organizationId: org.northwind,
    repositoryId: repo.northwindUnknownSize,
    name: 'Northwind Exchange',
    ...daily(4 * HOUR_MS),
    lastStatus: 'Warning',
    lastBackup: ago(4 * HOUR_MS),
  });
  data.addJob({
    id: job.northwindHostile,
    organizationId: org.northwind,
    repositoryId: repo.northwindUnknownSize,
    name: SEED_HOSTILE_JOB_NAME,
    backupType: 'SelectedItems',
    ...daily(6 * HOUR_MS),
    lastStatus: 'Success',
    lastBackup: ago(6 * HOUR_MS),
  });
  data.addJob({
    id: job.tailwindOverdue,
    organizationId: org.tailwind,
    repositoryId: repo.tailwindLocal,
    name: 'Tailwind Hourly',
    schedule: { type: 'Periodically', every: 'Hours1' },
    // Should have run again 2 hours ago and has not: the scheduler is stuck.
    lastRun: ago(3 * HOUR_MS),
    nextRun: ago(2 * HOUR_MS),
    lastStatus: 'Success',
    lastBackup: ago(3 * HOUR_MS),
  });
  data.addJob({
    id: job.tailwindDisabled,
    organizationId: org.tailwind,
    repositoryId: repo.tailwindOffline,
    name: 'Tailwind Branch Office',
    isEnabled: false,
    lastRun: ago(10 * DAY_MS),
    nextRun: null,
    lastStatus: 'Success',
    lastBackup: ago(10 * DAY_MS),
  });
  data.addCopyJob({
    id: SEED_COPY_JOB_IDS.contosoArchive,
    organizationId: org.contoso,
    repositoryId: repo.contosoS3,
    backupJobId: job.contosoDaily,
    name: 'Contoso Archive Copy',
    schedule: { type: 'Immediate', dailyTime: '00:00:00' },
    lastRun: ago(2 * HOUR_MS + 40 * MINUTE_MS),
    nextRun: null,
    lastStatus: 'Success',
    lastBackup: ago(2 * HOUR_MS + 40 * MINUTE_MS),
  });
}
