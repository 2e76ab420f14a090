// The simulator's mutable model. Plain maps keyed by lower-case ID, in insertion order (= answer order).
import { generateOrganization } from './generate.js';
import { defaultHealth, defaultLicense } from './defaults.js';
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

export class SimulatorData {
  readonly organizations = new Map<string, SimulatedOrganization>();
  readonly backupRepositories = new Map<string, SimulatedBackupRepository>();
  /** GET /{v}/License; change with setLicense or in place. */
  license: SimulatedLicense = defaultLicense(new Date());
  /** GET /v8/Health; change with setHealthEntry or in place. */
  health: SimulatedHealth = defaultHealth();
  /** Counts generated organizations so later calls continue the sequence instead of repeating IDs. */
  #generatedCount = 0;

  /** Adds (or replaces, same ID) an organization; missing fields take defaults. */
  addOrganization(input: OrganizationInput): SimulatedOrganization {
    const organization = toOrganization(input);
    this.organizations.set(organization.id, organization);
    return organization;
  }

  removeOrganization(id: string): boolean {
    return this.organizations.delete(id.toLowerCase());
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
   * Adds `count` deterministic organizations, each with `repositoriesEach` repositories of its own
   * (alternately local and object storage). The same sequence of calls always yields the same data.
   */
  generateOrganizations(count: number, repositoriesEach = 2): SimulatedOrganization[] {
    const added: SimulatedOrganization[] = [];
    for (let i = 0; i < count; i++) {
      const generated = generateOrganization(this.#generatedCount++, repositoriesEach);
      for (const repository of generated.repositories) this.addBackupRepository(repository);
      added.push(this.addOrganization(generated.organization));
    }
    return added;
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
