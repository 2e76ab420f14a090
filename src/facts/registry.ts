/**
 * Every VB365 fact the exporter reads, one module each. The poller reads them (in this order, side by
 * side), the store keeps their slices, /metrics and the status page render them. Adding a fact is its
 * module, its tests, and a line in each list below.
 */
import {
  backupRepositoriesFact,
  capacityFamilies,
  stateFamilies,
  type BackupRepositoriesSlice,
} from './backup-repositories/index.js';
import type { Logger } from 'pino';
import type { CycleState, Fact, Family, ProblemKind, ServerColumn } from './fact.js';
import { healthFact, type HealthSlice } from './health.js';
import { jobsFact, type JobsSlice } from './jobs/index.js';
import { licenseFact, type LicenseSlice } from './license.js';
import { organizationBackupsFact, type OrganizationBackupsSlice } from './organization-backups.js';
import {
  collectionFamilies,
  detailFamilies,
  organizationsFact,
  pollFamilies,
  type OrganizationsSlice,
} from './organizations/index.js';
import { proxiesFact, type ProxiesSlice } from './proxies.js';
import { cycleFamilies, serverDownKind } from './server-cycle.js';
import { serviceInstanceFact, type ServiceInstanceSlice } from './service-instance.js';

/** The latest known state of one server: the cycles' own fields and every fact's slice. */
export type ServerState = CycleState &
  OrganizationsSlice &
  BackupRepositoriesSlice &
  ServiceInstanceSlice &
  HealthSlice &
  LicenseSlice &
  OrganizationBackupsSlice &
  JobsSlice &
  ProxiesSlice;

/** A fact as the registry holds it: its types are its own business. */
export type AnyFact = Fact<ServerState, Partial<ServerState>, unknown>;

/** In the order their reads start (the listings first: they take longest). */
export const FACTS: readonly AnyFact[] = [
  backupRepositoriesFact,
  serviceInstanceFact,
  licenseFact,
  healthFact,
  jobsFact,
  proxiesFact,
  organizationBackupsFact,
  organizationsFact,
];

/**
 * The families in /metrics' order. The facts that came before modules keep the order /metrics had then
 * (the golden file holds it); a new fact's families go at the end.
 */
export const FAMILIES: readonly Family<ServerState>[] = [
  ...cycleFamilies,
  ...pollFamilies,
  ...capacityFamilies,
  ...detailFamilies,
  ...serviceInstanceFact.families,
  ...healthFact.families,
  ...licenseFact.families,
  ...stateFamilies,
  ...organizationBackupsFact.families,
  ...jobsFact.families,
  ...proxiesFact.families,
  ...collectionFamilies,
];

/** Every kind of problem, in the on-call order. */
export const PROBLEM_KINDS: readonly ProblemKind[] = [
  serverDownKind,
  ...FACTS.flatMap((fact) => fact.problemKinds),
].sort((a, b) => a.rank - b.rank);

/** The status page's "What the servers report" columns, in this order. */
export const COLUMNS: readonly ServerColumn<ServerState>[] = [
  ...serviceInstanceFact.columns,
  ...healthFact.columns,
  ...licenseFact.columns,
  ...proxiesFact.columns,
  ...organizationsFact.columns,
];

/** The facts with a section of their own on the status page, in this order. */
export const SECTIONS: readonly AnyFact[] = [jobsFact];

/** What each fact has to say about a cycle's changes (an organization gone, say), once its state is in. */
export function logChanges(previous: ServerState, next: ServerState, logger: Logger): void {
  for (const fact of FACTS) fact.logChanges?.(previous, next, logger);
}
