// Public API of the bundled VB365 REST API simulator.
export { startSimulator } from './server.js';
export { SimulatorData } from './data.js';
export { createSelfSignedCertificate, type ServerCertificate } from './certificate.js';
export type { BackedUpOrganization, GenerationOptions, UsageBytes } from './data.js';
export {
  SEED_BACKED_UP_ORGANIZATION_IDS,
  SEED_COPY_JOB_IDS,
  SEED_HOSTILE_JOB_NAME,
  SEED_JOB_IDS,
  SEED_NORD_REPOSITORY_NAME,
  SEED_OFFLINE_DETAILS,
  SEED_ORGANIZATION_IDS,
  SEED_PROXY_IDS,
  SEED_REPOSITORY_IDS,
  addSeedData,
} from './seed.js';
export { EXTENDED_VIEW_FAILURE_MESSAGE } from './handlers.js';
export type {
  CopyJobChanges,
  CopyJobInput,
  JobChanges,
  JobInput,
  JobSchedule,
  JobStatus,
  SimulatedCopyJob,
  SimulatedJob,
} from './job-model.js';
export type { ProxyChanges, ProxyInput, ProxyRole, SimulatedProxy } from './proxy-model.js';
export { API_VERSIONS, LISTING_ROUTES, ROUTE_NAMES } from './types.js';
export { DEMO_OUT_OF_ORDER_REASON, DEMO_SIZE_LIMIT_GB, addDemoState } from './demo.js';
export { seededRandom } from './random.js';
export type {
  ApiVersion,
  FaultRequest,
  FaultRule,
  ListingRoute,
  ListingShape,
  ProductVersion,
  RouteName,
  Simulator,
  SimulatorOptions,
  SimulatorStats,
} from './types.js';
export type {
  BackupRepositoryInput,
  HealthStatus,
  LicenseType,
  ObjectStorageInput,
  ObjectStorageType,
  RepositoryState,
  SimulatedHealth,
  SimulatedLicense,
  SimulatedLicensingInformation,
  OrganizationInput,
  OrganizationRegion,
  OrganizationType,
  SimulatedBackupRepository,
  SimulatedObjectStorage,
  SimulatedOrganization,
  SimulatedUsedRepository,
  UsedRepositoryInput,
} from './model.js';
