// The simulator's mutable model. Plain maps keyed by lower-case ID, in insertion order (= answer order).
import { generateOrganization, generateSharedRepository, type RepositoryPlacement } from './generate.js';
import { generateJobs } from './generate-jobs.js';
import { generateProxy } from './generate-proxies.js';
import { defaultHealth, defaultLicense } from './defaults.js';
import {
  toCopyJob,
  toJob,
  type CopyJobChanges,
  type CopyJobInput,
  type JobChanges,
  type JobInput,
  type SimulatedCopyJob,
  type SimulatedJob,
} from './job-model.js';
import { toProxy, type ProxyChanges, type ProxyInput, type SimulatedProxy } from './proxy-model.js';
import {
  toBackupRepository,
  toObjectStorage,
  toOrganization,
  toUsedRepository,
  type BackupRepositoryInput,
  type ObjectStorageInput,
  type RepositoryState,
  type SimulatedHealth,
  type SimulatedLicense,
  type SimulatedObjectStorage,
  type OrganizationInput,
  type SimulatedBackupRepository,
  type SimulatedOrganization,
  type SimulatedUsedRepository,
  type UsedRepositoryInput,
} from './model.js';

/** The three byte counts of a usage row, as `/BackupRepositories/{id}/backedupOrganizations` answers them. */
export type UsageBytes = Pick<
  SimulatedUsedRepository,
  'usedSpaceBytes' | 'localCacheUsedSpaceBytes' | 'objectStorageUsedSpaceBytes'
>;

/** How generated organizations are laid out besides their count and repositories each (all default 0). */
export interface GenerationOptions {
  /** Backup jobs per generated organization, each on one of its repositories in turn. */
  jobsEach?: number;
  /** Backup copy jobs per generated organization (needs jobsEach >= 1): copies of its jobs in turn. */
  copyJobsEach?: number;
  /**
   * 0: every generated organization has repositories of its own. N: they all draw their repositories from
   * one pool of N generated repositories (created on first use), so many organizations share each one.
   */
  sharedRepositories?: number;
}

/** An organization and its usage row of one repository: an item of that repository's backedupOrganizations. */
export interface BackedUpOrganization {
  organization: SimulatedOrganization;
  usage: SimulatedUsedRepository;
}

export class SimulatorData {
  readonly organizations = new Map<string, SimulatedOrganization>();
  readonly backupRepositories = new Map<string, SimulatedBackupRepository>();
  /** Backup jobs (`/{v}/Jobs`); change with updateJob. */
  readonly jobs = new Map<string, SimulatedJob>();
  /** Backup copy jobs (`/{v}/CopyJobs`); change with updateCopyJob. */
  readonly copyJobs = new Map<string, SimulatedCopyJob>();
  /** Backup proxy servers (`/{v}/Proxies`); change with updateProxy. */
  readonly proxies = new Map<string, SimulatedProxy>();
  /** GET /{v}/License; change with setLicense or in place. */
  license: SimulatedLicense;
  /** GET /v8/Health; change with setHealthEntry or in place. */
  health: SimulatedHealth = defaultHealth();
  /**
   * The simulator's "now" when it started (ms since the epoch): the seed's and the generated jobs' times
   * are relative to it, so they are the same in every run given the same clock.
   */
  readonly startedAtMs: number;
  /** Counts generated organizations so later calls continue the sequence instead of repeating IDs. */
  #generatedCount = 0;
  #generatedProxyIds: string[] = [];
  /** The pool shared by generated organizations (GenerationOptions.sharedRepositories), once created. */
  #sharedPool: { id: string; objectStorage: boolean }[] = [];
  /** organization ID -> its backup job IDs, so one organization's jobs are found without a scan. */
  readonly #jobsByOrganization = new Map<string, Set<string>>();
  /** `repositoryId organizationId` -> byte counts backedupOrganizations answers instead of the usage row's. */
  readonly #skews = new Map<string, Partial<UsageBytes>>();

  constructor(startedAtMs: number = Date.now()) {
    this.startedAtMs = startedAtMs;
    this.license = defaultLicense(new Date(startedAtMs));
  }

  /** Adds (or replaces, same ID) an organization; missing fields take defaults. */
  addOrganization(input: OrganizationInput): SimulatedOrganization {
    const organization = toOrganization(input);
    this.organizations.set(organization.id, organization);
    return organization;
  }

  /** Removes the organization and its backup and copy jobs. */
  removeOrganization(id: string): boolean {
    const key = id.toLowerCase();
    for (const jobId of [...(this.#jobsByOrganization.get(key) ?? [])]) this.removeJob(jobId);
    for (const copyJob of [...this.copyJobs.values()]) {
      if (copyJob.organizationId === key) this.copyJobs.delete(copyJob.id);
    }
    return this.organizations.delete(key);
  }

  /** Changes an organization's fields (extended-view times, backedUpOrganizationId...); throws when unknown. */
  updateOrganization(
    id: string,
    changes: Partial<Omit<SimulatedOrganization, 'id' | 'usedRepositories'>>,
  ): SimulatedOrganization {
    return Object.assign(this.#requireOrganization(id), changes);
  }

  /** The ID backedupOrganizations (and RestorePoints) key an organization by in `version`. */
  backedUpIdOf(organization: SimulatedOrganization, version: 'v6' | 'v7' | 'v8'): string {
    // v8 keys by the backed-up organization ID (mapped by the Organizations listing); v6/v7 by the organization's own.
    return version === 'v8' ? (organization.backedUpOrganizationId ?? organization.id) : organization.id;
  }

  /** The organizations with a usage row for the repository, in organization order. */
  backedUpOrganizations(repositoryId: string): BackedUpOrganization[] {
    const wanted = repositoryId.toLowerCase();
    const found: BackedUpOrganization[] = [];
    for (const organization of this.organizations.values()) {
      const usage = organization.usedRepositories.find((u) => u.repositoryId === wanted);
      if (usage) found.push({ organization, usage });
    }
    return found;
  }

  /**
   * Makes backedupOrganizations answer other byte counts for one organization in one repository than
   * its UsedRepositories row (a disagreement for a client to notice); null: agree again.
   */
  setBackedUpOrganizationSkew(repositoryId: string, organizationId: string, bytes: Partial<UsageBytes> | null): void {
    const key = `${repositoryId.toLowerCase()} ${organizationId.toLowerCase()}`;
    if (bytes === null) this.#skews.delete(key);
    else this.#skews.set(key, { ...bytes });
  }

  /** The byte counts backedupOrganizations answers for an organization's usage row (skewed or not). */
  backedUpBytes(repositoryId: string, organizationId: string, usage: UsageBytes): UsageBytes {
    const skew = this.#skews.get(`${repositoryId.toLowerCase()} ${organizationId.toLowerCase()}`);
    const { usedSpaceBytes, localCacheUsedSpaceBytes, objectStorageUsedSpaceBytes } = usage;
    return { usedSpaceBytes, localCacheUsedSpaceBytes, objectStorageUsedSpaceBytes, ...skew };
  }

  /** Adds (or replaces, same ID) a backup job. */
  addJob(input: JobInput): SimulatedJob {
    const job = toJob(input);
    this.removeJob(job.id);
    this.jobs.set(job.id, job);
    this.#indexJob(job);
    return job;
  }

  /** Changes a job's state (status, times, enabled...); throws for an unknown job. */
  updateJob(id: string, changes: JobChanges): SimulatedJob {
    const job = this.getJob(id);
    if (!job) throw new Error(`unknown job ${id}`);
    const moved = changes.organizationId !== undefined && changes.organizationId.toLowerCase() !== job.organizationId;
    if (moved) this.#jobsByOrganization.get(job.organizationId)?.delete(job.id);
    Object.assign(job, changes);
    if (changes.organizationId !== undefined) job.organizationId = changes.organizationId.toLowerCase();
    if (changes.repositoryId !== undefined) job.repositoryId = changes.repositoryId.toLowerCase();
    if (moved) this.#indexJob(job);
    return job;
  }

  removeJob(id: string): boolean {
    const job = this.getJob(id);
    if (!job) return false;
    this.#jobsByOrganization.get(job.organizationId)?.delete(job.id);
    return this.jobs.delete(job.id);
  }

  getJob(id: string): SimulatedJob | undefined {
    return this.jobs.get(id.toLowerCase());
  }

  /** An organization's backup jobs, in the order they were added (found without a scan of all jobs). */
  jobsOf(organizationId: string): SimulatedJob[] {
    const ids = this.#jobsByOrganization.get(organizationId.toLowerCase()) ?? [];
    return [...ids].flatMap((id) => this.jobs.get(id) ?? []);
  }

  /** Adds (or replaces, same ID) a backup copy job. */
  addCopyJob(input: CopyJobInput): SimulatedCopyJob {
    const job = toCopyJob(input);
    this.copyJobs.set(job.id, job);
    return job;
  }

  /** Changes a copy job's state; throws for an unknown copy job. */
  updateCopyJob(id: string, changes: CopyJobChanges): SimulatedCopyJob {
    const job = this.getCopyJob(id);
    if (!job) throw new Error(`unknown copy job ${id}`);
    return Object.assign(job, changes);
  }

  removeCopyJob(id: string): boolean {
    return this.copyJobs.delete(id.toLowerCase());
  }

  getCopyJob(id: string): SimulatedCopyJob | undefined {
    return this.copyJobs.get(id.toLowerCase());
  }

  /** Adds (or replaces, same ID) a backup proxy server. */
  addProxy(input: ProxyInput): SimulatedProxy {
    const proxy = toProxy(input);
    this.proxies.set(proxy.id, proxy);
    return proxy;
  }

  /** Changes a proxy's state (status, maintenance mode, CPU...); throws for an unknown proxy. */
  updateProxy(id: string, changes: ProxyChanges): SimulatedProxy {
    const proxy = this.getProxy(id);
    if (!proxy) throw new Error(`unknown proxy ${id}`);
    return Object.assign(proxy, changes);
  }

  removeProxy(id: string): boolean {
    return this.proxies.delete(id.toLowerCase());
  }

  getProxy(id: string): SimulatedProxy | undefined {
    return this.proxies.get(id.toLowerCase());
  }

  /**
   * Adds `count` deterministic online proxies. Organizations generated afterwards spread their
   * repositories over the generated proxies instead of the default one.
   */
  generateProxies(count: number): SimulatedProxy[] {
    const added: SimulatedProxy[] = [];
    for (let i = 0; i < count; i++) {
      const proxy = this.addProxy(generateProxy(this.#generatedProxyIds.length));
      this.#generatedProxyIds.push(proxy.id);
      added.push(proxy);
    }
    return added;
  }

  getOrganization(id: string): SimulatedOrganization | undefined {
    return this.organizations.get(id.toLowerCase());
  }

  /** Adds (or replaces, same ID) a backup repository. */
  addBackupRepository(input: BackupRepositoryInput): SimulatedBackupRepository {
    const repository = toBackupRepository(input);
    this.backupRepositories.set(repository.id, repository);
    return repository;
  }

  /** Removes the repository only: usage rows that point to it stay (a deliberately dangling reference). */
  removeBackupRepository(id: string): boolean {
    return this.backupRepositories.delete(id.toLowerCase());
  }

  getBackupRepository(id: string): SimulatedBackupRepository | undefined {
    return this.backupRepositories.get(id.toLowerCase());
  }

  /** Changes a repository's state flags; throws for an unknown repository. */
  setRepositoryState(id: string, state: Partial<RepositoryState>): SimulatedBackupRepository {
    const repository = this.#requireRepository(id);
    Object.assign(repository, state);
    return repository;
  }

  /**
   * Replaces the object storage of a repository (null: a local repository again), the fields not given
   * kept from the current one. freeSpaceBytes is derived again from the limit unless given.
   */
  setObjectStorage(repositoryId: string, input: Partial<ObjectStorageInput> | null): SimulatedObjectStorage | null {
    const repository = this.#requireRepository(repositoryId);
    if (input === null) return (repository.objectStorage = null);
    const current = repository.objectStorage;
    if (!current && (input.id === undefined || input.name === undefined || input.type === undefined)) {
      throw new Error(`repository ${repositoryId} has no object storage: give its id, name and type`);
    }
    const merged = { ...current, ...input } as ObjectStorageInput;
    // Derived again from the (new) limit and used space unless given.
    if (input.freeSpaceBytes === undefined) delete merged.freeSpaceBytes;
    return (repository.objectStorage = toObjectStorage(merged));
  }

  /** The object storage repositories (v6/v7 `/objectstoragerepositories`): each one once, in repository order. */
  objectStorages(): SimulatedObjectStorage[] {
    const byId = new Map<string, SimulatedObjectStorage>();
    for (const repository of this.backupRepositories.values()) {
      const storage = repository.objectStorage;
      if (storage && !byId.has(storage.id.toLowerCase())) byId.set(storage.id.toLowerCase(), storage);
    }
    return [...byId.values()];
  }

  getObjectStorage(id: string): SimulatedObjectStorage | undefined {
    const wanted = id.toLowerCase();
    return this.objectStorages().find((s) => s.id.toLowerCase() === wanted);
  }

  /** Changes licence figures (users, expiry, status, type...); the rest stays. */
  setLicense(license: Partial<SimulatedLicense>): SimulatedLicense {
    return Object.assign(this.license, license);
  }

  /** Sets one health entry (a new name adds one) and derives the overall status: Unhealthy if any entry is. */
  setHealthEntry(name: string, status: SimulatedHealth['status'], description: string | null = null): SimulatedHealth {
    this.health.entries[name] = { status, description };
    const entries = Object.values(this.health.entries);
    this.health.status = entries.some((e) => e.status === 'Unhealthy') ? 'Unhealthy' : 'Healthy';
    return this.health;
  }

  /** Adds (or replaces) one usage row of an organization; throws for an unknown organization. */
  addUsedRepository(organizationId: string, input: UsedRepositoryInput): SimulatedUsedRepository {
    const organization = this.#requireOrganization(organizationId);
    const usage = toUsedRepository(input);
    const index = organization.usedRepositories.findIndex((u) => u.repositoryId === usage.repositoryId);
    if (index >= 0) organization.usedRepositories[index] = usage;
    else organization.usedRepositories.push(usage);
    return usage;
  }

  removeUsedRepository(organizationId: string, repositoryId: string): boolean {
    const organization = this.#requireOrganization(organizationId);
    const before = organization.usedRepositories.length;
    const wanted = repositoryId.toLowerCase();
    organization.usedRepositories = organization.usedRepositories.filter((u) => u.repositoryId !== wanted);
    return organization.usedRepositories.length !== before;
  }

  getUsedRepository(organizationId: string, repositoryId: string): SimulatedUsedRepository | undefined {
    const wanted = repositoryId.toLowerCase();
    return this.getOrganization(organizationId)?.usedRepositories.find((u) => u.repositoryId === wanted);
  }

  /**
   * Adds `count` deterministic organizations, each using `repositoriesEach` repositories (alternately local
   * and object storage): its own, or drawn from a shared pool (options.sharedRepositories), and with
   * options.jobsEach backup jobs and options.copyJobsEach copy jobs. The same sequence of calls always
   * yields the same data (job times relative to startedAtMs).
   */
  generateOrganizations(count: number, repositoriesEach = 2, options: GenerationOptions = {}): SimulatedOrganization[] {
    const { jobsEach = 0, copyJobsEach = 0, sharedRepositories = 0 } = options;
    if (copyJobsEach > 0 && jobsEach < 1) throw new Error('copy jobs need backup jobs to copy (jobsEach >= 1)');
    if (sharedRepositories > 0 && sharedRepositories < repositoriesEach) {
      throw new Error(
        `a pool of ${sharedRepositories} shared repositories cannot give ${repositoriesEach} to each organization`,
      );
    }
    const placement: RepositoryPlacement = { proxyIds: this.#generatedProxyIds };
    if (sharedRepositories > 0) placement.shared = this.#sharedRepositoryPool(sharedRepositories);
    const added: SimulatedOrganization[] = [];
    for (let i = 0; i < count; i++) {
      const index = this.#generatedCount++;
      const generated = generateOrganization(index, repositoriesEach, placement);
      for (const repository of generated.repositories) this.addBackupRepository(repository);
      const organization = this.addOrganization(generated.organization);
      const jobs = generateJobs(index, organization, { jobsEach, copyJobsEach, nowMs: this.startedAtMs });
      for (const job of jobs.jobs) this.addJob(job);
      for (const copyJob of jobs.copyJobs) this.addCopyJob(copyJob);
      added.push(organization);
    }
    return added;
  }

  /** The shared pool, grown to `size` repositories on first use (a later, larger size adds to it). */
  #sharedRepositoryPool(size: number): { id: string; objectStorage: boolean }[] {
    while (this.#sharedPool.length < size) {
      const repository = generateSharedRepository(this.#sharedPool.length, this.#generatedProxyIds);
      this.addBackupRepository(repository);
      this.#sharedPool.push({ id: repository.id.toLowerCase(), objectStorage: repository.objectStorage != null });
    }
    return this.#sharedPool.slice(0, size);
  }

  #indexJob(job: SimulatedJob): void {
    let ids = this.#jobsByOrganization.get(job.organizationId);
    if (!ids) this.#jobsByOrganization.set(job.organizationId, (ids = new Set()));
    ids.add(job.id);
  }

  #requireRepository(id: string): SimulatedBackupRepository {
    const repository = this.getBackupRepository(id);
    if (!repository) throw new Error(`unknown backup repository ${id}`);
    return repository;
  }

  #requireOrganization(id: string): SimulatedOrganization {
    const organization = this.getOrganization(id);
    if (!organization) throw new Error(`unknown organization ${id}`);
    return organization;
  }
}
