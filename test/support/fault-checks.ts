/** Shared checks of the fault tests: the exporter still answers, and organizations are exported exactly as the simulator holds them. */
import { createServer } from 'node:net';
import { expect } from 'vitest';
import type { Simulator } from 'vb365-simulator';
import { SEED_ORGANIZATION_IDS } from 'vb365-simulator';
import type { FakeClock } from './fake-clock.js';
import { sampleValue, samples, waitFor } from './harness.js';

export const SEED_ORGS: readonly string[] = Object.values(SEED_ORGANIZATION_IDS);

const BYTE_GAUGES = [
  ['used_space_bytes', 'usedSpaceBytes'],
  ['local_cache_used_space_bytes', 'localCacheUsedSpaceBytes'],
  ['object_storage_used_space_bytes', 'objectStorageUsedSpaceBytes'],
] as const;

/** A TCP port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The value of a counter sample, 0 when the series does not exist yet. */
export function count(text: string, name: string, labels: Record<string, string>): number {
  return sampleValue(text, name, { server: 'sim', ...labels }) ?? 0;
}

export function requests(text: string, endpoint: string, code: string): number {
  return count(text, 'veeam_vb365_api_requests_total', { endpoint, code });
}

export function pollSuccess(text: string, organizationId: string): number | undefined {
  return sampleValue(text, 'veeam_vb365_organization_poll_success', { server: 'sim', organization_id: organizationId });
}

export function up(text: string): number | undefined {
  return sampleValue(text, 'veeam_vb365_up', { server: 'sim' });
}

/** Repository IDs the metrics hold for an organization (from the availability gauge, present for every kept item). */
export function exportedRepositories(text: string, organizationId: string): string[] {
  return samples(text, 'veeam_vb365_repository_available')
    .filter((sample) => sample.labels['organization_id'] === organizationId)
    .map((sample) => sample.labels['repository_id'] ?? '')
    .sort();
}

/**
 * The organization's series are exactly what the simulator holds now: every repository, every byte
 * count to the byte (no sample for null), availability, and poll_success as given.
 */
export function expectExported(text: string, simulator: Simulator, organizationId: string, success = 1): void {
  const organization = simulator.data.getOrganization(organizationId);
  if (organization === undefined) throw new Error(`unknown organization ${organizationId}`);
  expect(pollSuccess(text, organizationId), `poll_success of ${organizationId}`).toBe(success);
  expect(exportedRepositories(text, organizationId)).toEqual(
    organization.usedRepositories.map((usage) => usage.repositoryId).sort(),
  );
  for (const usage of organization.usedRepositories) {
    const labels = { server: 'sim', organization_id: organizationId, repository_id: usage.repositoryId };
    for (const [metric, field] of BYTE_GAUGES) {
      expect(
        sampleValue(text, `veeam_vb365_repository_${metric}`, labels),
        `${metric} of ${organizationId}/${usage.repositoryId}`,
      ).toBe(usage[field] ?? undefined);
    }
    expect(sampleValue(text, 'veeam_vb365_repository_available', labels)).toBe(usage.isAvailable ? 1 : 0);
  }
}

/** Every seed organization but `except` is exported exactly and polled successfully. */
export function expectOthersIntact(text: string, simulator: Simulator, except: readonly string[]): void {
  for (const organizationId of SEED_ORGS)
    if (!except.includes(organizationId)) expectExported(text, simulator, organizationId);
}

/**
 * Lets `attempts` answers that never complete (hung or trickling) run into the request deadline on the fake
 * clock. Before each cut it waits until the simulator holds that attempt and it is the only exchange the
 * exporter has in flight (its deadline the only timer), so moving the clock by `timeoutMs` cuts that one
 * alone; then it waits until the simulator has seen the connection go.
 */
export async function cutAtDeadline(
  clock: FakeClock,
  simulator: Simulator,
  timeoutMs: number,
  attempts: number,
): Promise<void> {
  const { stats } = simulator;
  const cutsBefore = stats.unfinishedResponses;
  for (let cut = 1; cut <= attempts; cut++) {
    await waitFor(
      () => stats.unfinishedResponses === cutsBefore + cut - 1 && stats.inFlight === 1 && clock.pending().length === 1,
      10_000,
    );
    await clock.advance(timeoutMs);
    await waitFor(() => stats.unfinishedResponses === cutsBefore + cut, 10_000);
  }
}

/** /healthz still answers: the process runs and serves. */
export async function expectHealthy(url: string): Promise<void> {
  const response = await fetch(`${url}/healthz`);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('ok\n');
}

/** Log lines with this message (and these fields, when given). */
export function logLines(
  lines: ReadonlyArray<Record<string, unknown>>,
  message: string | RegExp,
  fields: Record<string, unknown> = {},
): Array<Record<string, unknown>> {
  return lines.filter(
    (line) =>
      (typeof message === 'string' ? line['msg'] === message : message.test(String(line['msg']))) &&
      Object.entries(fields).every(([key, value]) => line[key] === value),
  );
}

export const ORG_POLL_FAILED = 'organization poll failed; keeping its last known values';
export const LISTING_FAILED = 'could not list organizations; keeping the last known values';
export const ITEMS_SKIPPED = 'skipped invalid items in the used repositories answer';
