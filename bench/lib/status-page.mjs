/**
 * The status page at a size: N organizations x 2 repositories built through the real state update, then
 * rendered by the real renderer (dist/) many times. Two cases: a normal day (repositories unavailable for
 * one organization in twelve, 50 organizations failing for two reasons, one repository nearly full) and a
 * server down (every organization failing). Size in bytes and render time per page (median and p95, in this process).
 */
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { renderStatusPage } from '../../dist/http/status/page.js';
import { initialState, nextState } from '../../dist/store/next-state.js';

const MINUTE = 60_000;

function organizationId(index) {
  return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}
function repositoryId(index) {
  return `11111111-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

function cycle(count, atMs, listingFails) {
  const organizations = Array.from({ length: count }, (_, index) => ({
    id: organizationId(index),
    name: `Tenant ${String(index).padStart(5, '0')} GmbH & Co. KG`,
  }));
  const polls = new Map(
    organizations.map((organization, index) => {
      if (index < 50)
        return [
          organization.id,
          {
            ok: false,
            atMs,
            error: index % 2 ? 'used_repositories answered HTTP 503' : 'no complete answer within 30 s',
          },
        ];
      const repositories = [0, 1].map((slot) => ({
        repositoryId: repositoryId((index * 2 + slot) % 400),
        usedSpaceBytes: 1_000_000_000 + index,
        localCacheUsedSpaceBytes: slot === 0 ? 10_000_000 : null,
        objectStorageUsedSpaceBytes: slot === 1 ? 5_000_000_000 : null,
        isAvailable: !(slot === 0 && index % 12 === 0 && index < 9_600),
        details: 'Proxy is offline',
        protectedObjectsCount: 40,
      }));
      return [organization.id, { ok: true, atMs, repositories }];
    }),
  );
  const repositories = Array.from({ length: 400 }, (_, index) => ({
    id: repositoryId(index),
    name: `Repository ${index}`,
    capacityBytes: 10 * 2 ** 40,
    freeSpaceBytes: index === 7 ? 2 ** 39 : 5 * 2 ** 40,
    isOutOfSync: false,
    isOutdated: false,
    isOutOfOrder: false,
    outOfOrderReason: '',
    objectStorage: undefined,
    objectStorageId: undefined,
  }));
  // The reads by fact name, as the poller hands them to the store; a failed listing reads nothing.
  return {
    startedMs: atMs - 30_000,
    finishedMs: atMs,
    listing: listingFails
      ? { ok: false, error: 'the connection failed (ECONNREFUSED)' }
      : { ok: true, version: 'v8', organizations },
    reads: listingFails
      ? new Map()
      : new Map([
          ['organizations', polls],
          ['backup repositories', { repositories, objectStorages: undefined }],
        ]),
  };
}

function measure(state, renders) {
  const input = {
    servers: [state],
    configured: [{ name: 'vb365', pollIntervalSeconds: 300 }],
    nowMs: 10 * MINUTE,
    version: 'bench',
    metricsPath: '/metrics',
  };
  const html = renderStatusPage(input); // warm-up, and the size
  const times = [];
  for (let run = 0; run < renders; run++) {
    const started = performance.now();
    renderStatusPage(input);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    bytes: Buffer.byteLength(html),
    medianMs: times[Math.floor(times.length / 2)],
    p95Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))],
  };
}

/** The figures for N organizations on one server. */
export function measureStatusPage(count, renders = 30) {
  const normal = nextState(
    nextState(initialState('vb365'), cycle(count, MINUTE, false)),
    cycle(count, 6 * MINUTE, false),
  );
  const down = nextState(normal, cycle(count, 9 * MINUTE, true));
  return { organizations: count, normalDay: measure(normal, renders), serverDown: measure(down, renders) };
}
