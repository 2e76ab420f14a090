/**
 * Changes to the simulator's data between soak cycles: organizations appear and disappear, and
 * organizations start and stop using repositories. Every change keeps the data self-contained (a
 * removed organization takes its backup repositories with it), so the population stays near its
 * starting size and the exporter's memory should stay flat.
 */
import { seededRandom } from 'vb365-simulator';

let random = seededRandom(0xb5c0ffee);

/** Which organizations exist, and which repositories each uses: what /metrics must show after a poll. */
export function truth(data) {
  return [...data.organizations.values()].map((organization) => ({
    id: organization.id,
    repositories: organization.usedRepositories.map((usage) => usage.repositoryId),
  }));
}

/** One round of changes around `target` organizations; returns the new truth. */
export function mutate(data, { target = 50, seed } = {}) {
  if (seed !== undefined) random = seededRandom(seed);
  const ids = () => [...data.organizations.keys()];
  const pick = (list) => list[Math.floor(random() * list.length)];

  // Organizations disappear and appear; the population drifts back towards the target.
  const removals = Math.floor(random() * 3) + (data.organizations.size > target * 1.2 ? 2 : 0);
  for (let i = 0; i < removals && data.organizations.size > 1; i++) removeOrganization(data, pick(ids()));
  const additions = Math.floor(random() * 3) + (data.organizations.size < target * 0.8 ? 2 : 0);
  data.generateOrganizations(additions, 1 + Math.floor(random() * 3));

  // Repositories come and go within organizations that stay.
  const changes = Math.floor(random() * 4);
  for (let i = 0; i < changes; i++) {
    const organization = data.getOrganization(pick(ids()));
    if (organization === undefined) continue;
    const usage = organization.usedRepositories[Math.floor(random() * organization.usedRepositories.length)];
    if (usage !== undefined && random() < 0.5) {
      data.removeUsedRepository(organization.id, usage.repositoryId);
      data.removeBackupRepository(usage.repositoryId);
    } else {
      const id = uuid();
      data.addBackupRepository({
        id,
        name: `Soak Repository ${id.slice(0, 8)}`,
        capacityBytes: 2 ** 40,
        freeSpaceBytes: 2 ** 39,
      });
      data.addUsedRepository(organization.id, {
        repositoryId: id,
        usedSpaceBytes: Math.floor(random() * 2 ** 40),
        isAvailable: random() < 0.9,
      });
    }
  }
  return truth(data);
}

function removeOrganization(data, id) {
  const organization = data.getOrganization(id);
  if (organization === undefined) return;
  for (const usage of organization.usedRepositories) data.removeBackupRepository(usage.repositoryId);
  data.removeOrganization(id);
}

function uuid() {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}
