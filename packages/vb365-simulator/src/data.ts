// The simulator's mutable model. Plain maps keyed by lower-case ID, in insertion order (= answer order).
import { generateOrganization } from './generate.js';
import {
  toBackupRepository,
  toOrganization,
  toUsedRepository,
  type BackupRepositoryInput,
  type OrganizationInput,
  type SimulatedBackupRepository,
  type SimulatedOrganization,
  type SimulatedUsedRepository,
  type UsedRepositoryInput,
} from './model.js';

export class SimulatorData {
  readonly organizations = new Map<string, SimulatedOrganization>();
  readonly backupRepositories = new Map<string, SimulatedBackupRepository>();
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

  #requireOrganization(id: string): SimulatedOrganization {
    const organization = this.getOrganization(id);
    if (!organization) throw new Error(`unknown organization ${id}`);
    return organization;
  }
}
