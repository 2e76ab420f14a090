/**
 * Issue 20: used space read per repository (`collection: per_repository`) against per organization, on the
 * same simulator in the same run. The simulator's organizations share a few large repositories, as a
 * service provider's tenants do. Each mode runs in an exporter child of its own (a fair peak RSS):
 *   - per_organization: one UsedRepositories request per organization a cycle;
 *   - per_repository with each verification period N: each repository's backedupOrganizations (its pages),
 *     then the verification sample's own UsedRepositories (the rotation's next ceil(n / N) of the
 *     organizations, plus one organization per repository the rotation leaves out).
 * Measured for each: requests a cycle by route (the simulator's counters), cycle time, CPU, peak RSS; then
 * /metrics' used-space families compared with per_organization's, line for line. A sweep of how many
 * organizations share a repository, at a smaller scale, finds where per_repository starts to pay.
 */
import console from 'node:console';
import { fetch } from 'undici';
import { barePerRepository } from './bare-per-repository.mjs';
import { startExporterChild, startSimulatorChild, statsDelta } from './children.mjs';
import { bareLoop, login } from './http.mjs';
import { mib, ms, printTable, verdict } from './report.mjs';
import { median } from './stats.mjs';

export const COLLECTION_PLAN = {
  organizations: 10_000,
  sharedRepositories: 20,
  repositoriesPerOrganization: 2,
  latencyMs: 20,
  concurrency: 32,
  apiVersion: 'v8',
  /** Cycles after the first (cold) one and before the measured ones. */
  warmUpCycles: 1,
  perOrganizationCycles: 3,
  /** per_repository: measured cycles; undefined: N, one full rotation of the verification sample. */
  perRepositoryCycles: undefined,
  verificationCycles: [10, 100],
  sweep: {
    organizations: 2_000,
    organizationsPerRepository: [1, 2, 3, 4, 5, 10, 50, 500],
    warmUpCycles: 1,
    cycles: 3,
  },
};

/** CI's: small and quick, no sweep (no timing verdicts: the targets are for 10,000 organizations). */
export const COLLECTION_SMOKE_PLAN = {
  ...COLLECTION_PLAN,
  organizations: 400,
  sharedRepositories: 4,
  warmUpCycles: 0,
  perOrganizationCycles: 2,
  perRepositoryCycles: 2,
  sweep: undefined,
};

/** Issue 20's targets for per_repository: requests, its cycle this many times shorter, peak RSS no higher. */
const CYCLE_RATIO_TARGET = 20;
const SAMPLE_SHARE_TARGET = 0.01;

/** Must be identical in both modes from the first cycle on. */
const COMPARED_FAMILIES = [
  'veeam_vb365_repository_used_space_bytes',
  'veeam_vb365_repository_local_cache_used_space_bytes',
  'veeam_vb365_repository_object_storage_used_space_bytes',
  'veeam_vb365_repository_available',
  'veeam_vb365_repository_info',
  'veeam_vb365_organization_poll_success',
];
/**
 * backedupOrganizations has no protected object count: an organization gets its count from its own
 * UsedRepositories, so this family matches only once every organization was verified (N cycles).
 */
const AFTER_ROTATION_FAMILIES = ['veeam_vb365_repository_protected_objects'];

const perOrganizationMode = { name: 'per_organization', collection: 'per_organization' };
const perRepositoryMode = (cycles) => ({
  name: `per_repository N=${cycles}`,
  collection: 'per_repository',
  verificationCycles: cycles,
});

/** `setup.progress(message)` reports where the run is. */
export async function benchCollection(plan, setup) {
  const main = await measureScenario(
    plan,
    {
      organizations: plan.organizations,
      sharedRepositories: plan.sharedRepositories,
      warmUpCycles: plan.warmUpCycles,
      perOrganizationCycles: plan.perOrganizationCycles,
      perRepositoryCycles: plan.perRepositoryCycles,
      compareMetrics: true,
      withFloors: true,
    },
    setup,
  );
  const sweep = [];
  if (plan.sweep !== undefined) {
    for (const perRepository of plan.sweep.organizationsPerRepository) {
      const sharedRepositories = Math.round(
        (plan.sweep.organizations * plan.repositoriesPerOrganization) / perRepository,
      );
      sweep.push({
        organizationsPerRepository: perRepository,
        ...(await measureScenario(
          plan,
          {
            organizations: plan.sweep.organizations,
            sharedRepositories,
            warmUpCycles: plan.sweep.warmUpCycles,
            perOrganizationCycles: plan.sweep.cycles,
            perRepositoryCycles: plan.sweep.cycles,
            compareMetrics: true,
          },
          setup,
        )),
      });
    }
  }
  return { plan, main, sweep };
}

/** One simulator, then each mode in an exporter child of its own, in the order per_organization, N = ... */
async function measureScenario(plan, scenario, setup) {
  const { organizations, sharedRepositories } = scenario;
  const where = `${organizations} organizations on ${sharedRepositories} shared repositories`;
  setup.progress(`collection: starting the simulator, ${where}`);
  const simulator = await startSimulatorChild({
    organizationCount: organizations,
    repositoriesPerOrganization: plan.repositoriesPerOrganization,
    sharedRepositoryCount: sharedRepositories,
    latencyMs: plan.latencyMs,
  });
  try {
    const modes = [perOrganizationMode, ...plan.verificationCycles.map(perRepositoryMode)];
    const runs = [];
    let reference;
    for (const mode of modes) {
      const cycles =
        mode.collection === 'per_organization'
          ? scenario.perOrganizationCycles
          : (scenario.perRepositoryCycles ?? mode.verificationCycles);
      setup.progress(
        `collection: ${mode.name}, ${where}: first cycle, ${scenario.warmUpCycles} warm-up, ${cycles} measured`,
      );
      const run = await measureMode(
        simulator,
        mode,
        {
          warmUp: scenario.warmUpCycles,
          cycles,
          comparableCycles: 1 + scenario.warmUpCycles + scenario.perOrganizationCycles,
          withMetrics: scenario.compareMetrics,
        },
        plan,
      );
      if (mode.collection === 'per_organization') reference = run.metrics;
      else if (reference !== undefined && run.metrics !== undefined)
        run.comparison = compareMetrics(reference, run.metrics, run);
      delete run.metrics;
      runs.push(run);
    }
    const floors = scenario.withFloors ? await measureFloors(simulator, plan, runs, setup) : undefined;
    return { organizations, sharedRepositories, runs, floors };
  } finally {
    await simulator.close();
  }
}

/**
 * A fresh exporter child: its first cycle, `warmUp` more, then `cycles` measured; then /metrics. Peak RSS
 * twice: after `comparableCycles` cycles in all (as many as per_organization runs: the like-for-like figure,
 * since garbage waits in the old generation for a full collection and a longer run peaks higher without
 * holding more) and after every cycle; the heap after a forced GC says what the state holds.
 */
async function measureMode(simulator, mode, { warmUp, cycles, comparableCycles, withMetrics }, plan) {
  // With plan.exporterMemoryLimitBytes, in a memory cgroup of its own (as the chart's pod runs): V8 sizes its heap from it.
  const exporter = await startExporterChild(
    simulator,
    {
      concurrency: plan.concurrency,
      apiVersion: plan.apiVersion,
      collection: mode.collection,
      verificationCycles: mode.verificationCycles,
      logLevel: 'warn',
    },
    [],
    plan.exporterMemoryLimitBytes,
  );
  try {
    for (let run = 0; run < warmUp; run++) await exporter.poll();
    const measured = [];
    let comparablePeakRssBytes;
    for (let run = 0; run < cycles; run++) {
      await simulator.reset();
      const before = await simulator.stats();
      const poll = await exporter.poll();
      measured.push({ ...poll, simulator: statsDelta(before, await simulator.stats()) });
      if (1 + warmUp + run + 1 === comparableCycles) comparablePeakRssBytes = poll.memory.maxRssBytes;
    }
    // Before /metrics is fetched: the peak is the cycles' alone.
    const usage = await exporter.call('usage');
    const heap = await exporter.call('heap');
    const metrics = withMetrics ? await familyLines(`${exporter.url}/metrics`) : undefined;
    return {
      mode,
      cold: exporter.cold,
      // Cycles the exporter ran in all: the first one, the warm-ups, the measured ones.
      cyclesRun: 1 + warmUp + cycles,
      cycles: measured,
      comparableCycles,
      peakRssBytes: comparablePeakRssBytes ?? usage.memory.maxRssBytes,
      peakRssAllCyclesBytes: usage.memory.maxRssBytes,
      heapAfterGcBytes: heap.heapUsed,
      ...exporter.inCgroup(),
      metrics,
    };
  } catch (error) {
    throw exporter.explained(error);
  } finally {
    await exporter.close();
  }
}

/**
 * Each mode's floor for any Node client, from the bench process on the same simulator: a bare undici loop
 * doing the same requests with JSON.parse and nothing else (per_repository's with its run's mean sample).
 * Median of the warm runs (the first opens the connections).
 */
async function measureFloors(simulator, plan, runs, setup) {
  const floors = {};
  for (const run of runs) {
    setup.progress(`collection: a bare undici client doing ${run.mode.name}'s requests`);
    if (run.mode.collection === 'per_organization') {
      const token = await login(simulator);
      const results = await bareLoop(simulator, token, { connections: plan.concurrency, runs: 3 });
      floors[run.mode.name] = median(results.slice(1).map((result) => result.ms));
    } else {
      const sampleSize = Math.round(mean(run.cycles.map(usedRepositories)));
      const times = await barePerRepository(simulator, { connections: plan.concurrency, sampleSize, runs: 4 });
      floors[run.mode.name] = median(times.slice(1));
    }
  }
  return floors;
}

/** The sample lines of the compared families, by family, sorted. */
async function familyLines(url) {
  const response = await fetch(url, { headers: { 'accept-encoding': 'gzip' } }); // as Prometheus asks
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  const text = await response.text();
  const wanted = new Set([...COMPARED_FAMILIES, ...AFTER_ROTATION_FAMILIES]);
  const lines = Object.fromEntries([...wanted].map((family) => [family, []]));
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const end = line.search(/[{ ]/);
    const family = end === -1 ? line : line.slice(0, end);
    if (wanted.has(family)) lines[family].push(line);
  }
  for (const family of wanted) lines[family].sort();
  return lines;
}

function compareMetrics(reference, metrics, run) {
  const verified = run.mode.verificationCycles === undefined || run.cyclesRun >= run.mode.verificationCycles;
  return [...COMPARED_FAMILIES, ...AFTER_ROTATION_FAMILIES].map((family) => {
    const expected = reference[family];
    const actual = metrics[family];
    const expectedSet = new Set(expected);
    const actualSet = new Set(actual);
    const missing = expected.filter((line) => !actualSet.has(line));
    const extra = actual.filter((line) => !expectedSet.has(line));
    return {
      family,
      // The protected object counts match only after a full rotation of the verification sample.
      required: COMPARED_FAMILIES.includes(family) || verified,
      samples: actual.length,
      referenceSamples: expected.length,
      identical: missing.length === 0 && extra.length === 0,
      missing: missing.length,
      extra: extra.length,
      example: missing[0] ?? extra[0],
    };
  });
}

// --- Figures of a run ---

const routesOf = (cycle) => cycle.simulator.byRoute;
const usedRepositories = (cycle) => routesOf(cycle).used_repositories ?? 0;
const backedUp = (cycle) => routesOf(cycle).backed_up_organizations ?? 0;
/** Every request of the cycle that is neither a UsedRepositories nor a backedupOrganizations one. */
const fixedReads = (cycle) => cycle.simulator.requests - usedRepositories(cycle) - backedUp(cycle);
const cycleMs = (run) => median(run.cycles.map((cycle) => cycle.cycleSeconds * 1000));
const cpuMs = (run) => median(run.cycles.map((cycle) => cycle.cpuMs));
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Issue 20's bound for a cycle: (repositories x pages) + repositories + 1 % of organizations + fixed reads. */
function requestTarget(cycle, organizations, repositories) {
  return backedUp(cycle) + repositories + Math.ceil(organizations * SAMPLE_SHARE_TARGET) + fixedReads(cycle);
}

/** `median (min-max, mean)`, or the one value where every cycle had the same. */
function range(values) {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? String(low) : `${median(values)} (${low}-${high}, mean ${mean(values).toFixed(0)})`;
}

/** The fixed reads of a run's first measured cycle, by route. */
function fixedRouteSummary(run) {
  return Object.entries(routesOf(run.cycles[0]))
    .filter(([name, count]) => count > 0 && name !== 'used_repositories' && name !== 'backed_up_organizations')
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
}

/** What must hold whatever the machine's speed. */
export function collectionFailures(result) {
  const failures = [];
  const scenarios = [
    { label: 'main', ...result.main },
    ...result.sweep.map((point) => ({ label: `sweep ${point.organizationsPerRepository} per repository`, ...point })),
  ];
  for (const scenario of scenarios) {
    for (const run of scenario.runs) {
      const where = `collection, ${scenario.label}, ${run.mode.name}`;
      for (const [index, cycle] of run.cycles.entries()) {
        if (!cycle.up || cycle.failed > 0 || cycle.organizations !== scenario.organizations)
          failures.push(
            `${where}, cycle ${index + 1}: up ${cycle.up}, ${cycle.organizations} organizations, ${cycle.failed} failed`,
          );
        if (run.mode.collection === 'per_organization') {
          if (usedRepositories(cycle) !== scenario.organizations)
            failures.push(`${where}, cycle ${index + 1}: ${usedRepositories(cycle)} UsedRepositories requests`);
          continue;
        }
        const { collection } = cycle;
        if (collection.mismatches > 0 || collection.fellBackAtMs !== undefined)
          failures.push(
            `${where}, cycle ${index + 1}: ${collection.mismatches} mismatches, fell back ${collection.fellBackAtMs !== undefined}`,
          );
        if ((collection.unmappedItems ?? 0) > 0)
          failures.push(`${where}, cycle ${index + 1}: ${collection.unmappedItems} unmapped items`);
        if (backedUp(cycle) < scenario.sharedRepositories)
          failures.push(
            `${where}, cycle ${index + 1}: ${backedUp(cycle)} backedupOrganizations requests for ${scenario.sharedRepositories} repositories (not read per repository)`,
          );
      }
      for (const family of run.comparison ?? [])
        if (family.required && !family.identical)
          failures.push(
            `${where}: /metrics ${family.family} differs from per_organization's (${family.missing} missing, ${family.extra} extra; e.g. ${family.example})`,
          );
    }
  }
  return failures;
}

export function reportCollection(result, { smoke = false } = {}) {
  const { plan, main } = result;
  const [reference] = main.runs;
  const rows = main.runs.map((run) => {
    const perRepository = run.mode.collection === 'per_repository';
    const totals = run.cycles.map((cycle) => cycle.simulator.requests);
    const targets = run.cycles.map((cycle) => requestTarget(cycle, main.organizations, main.sharedRepositories));
    const over = run.cycles.filter((cycle, index) => totals[index] > targets[index]).length;
    const ratio = cycleMs(reference) / cycleMs(run);
    return [
      run.mode.name,
      range(totals),
      range(run.cycles.map(usedRepositories)),
      range(run.cycles.map(backedUp)),
      range(run.cycles.map(fixedReads)),
      perRepository
        ? `<= ${range(targets)}: ${verdict(over === 0)}${over === 0 ? '' : ` (${over} of ${run.cycles.length} cycles over)`}`
        : '',
      `${ms(cycleMs(run))} (${run.cycles.length} cycles)`,
      perRepository ? `${ratio.toFixed(1)}x: ${verdict(ratio >= CYCLE_RATIO_TARGET)}` : '',
      main.floors === undefined ? 'not measured' : ms(main.floors[run.mode.name]),
      ms(cpuMs(run)),
      perRepository
        ? `${mib(run.peakRssBytes)} (${signedMib(run.peakRssBytes - reference.peakRssBytes)}): ${verdict(run.peakRssBytes <= reference.peakRssBytes)}`
        : mib(run.peakRssBytes),
      `${mib(run.peakRssAllCyclesBytes)} (${run.cyclesRun})`,
      mib(run.heapAfterGcBytes),
    ];
  });
  printTable(
    `Issue 20: ${main.organizations} organizations, ${plan.repositoriesPerOrganization} repositories each from ${main.sharedRepositories} shared; API ${plan.apiVersion}, simulator latency ${plan.latencyMs} ms, poll_concurrency ${plan.concurrency}; each mode a fresh exporter child${plan.exporterMemoryLimitBytes === undefined ? '' : ` in a memory cgroup of ${mib(plan.exporterMemoryLimitBytes)}`}, same simulator; requests a cycle: median (range, mean) of the measured cycles${smoke ? ' (smoke: the targets are for 10,000 organizations, not judged here)' : ''}`,
    [
      'mode',
      'requests/cycle',
      'UsedRepositories',
      'backedupOrganizations',
      'fixed reads',
      `target: backedup + ${main.sharedRepositories} + 1 % of ${main.organizations} + fixed`,
      'cycle (median)',
      `per_organization / mode (>= ${CYCLE_RATIO_TARGET}x)`,
      'bare client, same requests',
      'CPU/cycle',
      `peak RSS, ${reference.comparableCycles} cycles (target: no higher)`,
      'peak RSS, all cycles (how many)',
      'heap after GC',
    ],
    rows,
  );
  console.log(`   fixed reads a cycle, by route: ${fixedRouteSummary(reference)}`);
  if (plan.exporterMemoryLimitBytes !== undefined)
    console.log(
      `   in the memory cgroup: ${main.runs.map((run) => `${run.mode.name} peak charge ${mib(run.cgroupPeakBytes)}, ${run.oomKills} OOM kills`).join('; ')}`,
    );
  if (main.floors !== undefined) {
    const floorRatios = main.runs
      .slice(1)
      .map((run) => `${run.mode.name} ${(cycleMs(reference) / main.floors[run.mode.name]).toFixed(1)}x`)
      .join(', ');
    console.log(
      `   ${CYCLE_RATIO_TARGET}x needs a per_repository cycle of at most ${ms(cycleMs(reference) / CYCLE_RATIO_TARGET)}; per_organization's cycle over a bare undici client's time for the same requests (JSON.parse, nothing else: the best a Node client could do here): ${floorRatios}`,
    );
  }
  for (const run of main.runs.slice(1)) {
    const used = run.cycles.map(usedRepositories);
    const allowed = main.sharedRepositories + Math.ceil(main.organizations * SAMPLE_SHARE_TARGET);
    const slotShare = mean(used) / main.organizations;
    console.log(
      `   ${run.mode.name}: ${backedUp(run.cycles[0])} backedupOrganizations requests for ${main.sharedRepositories} repositories (${(backedUp(run.cycles[0]) / main.sharedRepositories).toFixed(1)} pages each); verification sample ${Math.min(...used)}-${Math.max(...used)} UsedRepositories a cycle (mean ${mean(used).toFixed(0)}, ${(slotShare * 100).toFixed(1)} % of the organizations) against ${allowed} allowed (${main.sharedRepositories} repositories + 1 %): ${Math.max(...used) <= allowed ? 'within' : `MISSED${run.mode.verificationCycles < 100 ? `, as expected: N = ${run.mode.verificationCycles} compares about 1/${run.mode.verificationCycles} of the organizations a cycle, the 1 % needs N >= 100` : ''}`}`,
    );
  }
  for (const run of main.runs.slice(1)) {
    const shown = (run.comparison ?? [])
      .map(
        (family) =>
          `${family.family.replace('veeam_vb365_', '')} ${
            family.identical
              ? 'identical'
              : family.required
                ? `DIFFERS (${family.missing} missing, ${family.extra} extra)`
                : `not comparable yet (${family.missing} samples of organizations not verified in the ${run.cyclesRun} cycles run, fewer than N)`
          }`,
      )
      .join('; ');
    const last = run.cycles.at(-1).collection;
    console.log(
      `   ${run.mode.name} after ${run.cyclesRun} cycles: mismatches ${last.mismatches}, fell back ${last.fellBackAtMs === undefined ? 'no' : 'YES'}, unmapped items ${last.unmappedItems ?? 0}; /metrics against per_organization's (${run.comparison?.[0]?.samples ?? 0} used-space samples): ${shown}`,
    );
  }
  if (result.sweep.length > 0) reportSweep(result);
}

function reportSweep(result) {
  const { plan, sweep } = result;
  const organizations = plan.sweep.organizations;
  const rows = sweep.map((point) => {
    const [reference, ...perRepository] = point.runs;
    const requests = (run) => median(run.cycles.map((cycle) => cycle.simulator.requests));
    return [
      String(point.organizationsPerRepository),
      String(point.sharedRepositories),
      `${requests(reference)} / ${ms(cycleMs(reference))}`,
      ...perRepository.map(
        (run) => `${requests(run)} / ${ms(cycleMs(run))} (${(cycleMs(reference) / cycleMs(run)).toFixed(2)}x)`,
      ),
    ];
  });
  printTable(
    `Crossover: ${organizations} organizations x ${plan.repositoriesPerOrganization} repositories, sharing fewer or more repositories; requests a cycle / cycle time (medians of ${plan.sweep.cycles}), per_organization's cycle / per_repository's in brackets (> 1: per_repository pays)`,
    [
      'organizations per repository',
      'repositories',
      'per_organization',
      ...plan.verificationCycles.map((cycles) => `per_repository N=${cycles}`),
    ],
    rows,
  );
  for (const crossing of sweepCrossovers(result))
    console.log(`   N = ${crossing.verificationCycles}: per_repository pays ${crossing.text}`);
}

/**
 * Where per_repository starts to pay, for each N: the organizations per repository where per_organization's
 * cycle time (and requests) over per_repository's crosses 1, interpolated on a log scale between the sweep's points.
 */
export function sweepCrossovers(result) {
  if (result.sweep.length === 0) return [];
  return result.plan.verificationCycles.map((verificationCycles, index) => {
    const points = result.sweep.map((point) => {
      const [reference] = point.runs;
      const run = point.runs[index + 1];
      const requests = (one) => median(one.cycles.map((cycle) => cycle.simulator.requests));
      return {
        organizationsPerRepository: point.organizationsPerRepository,
        timeRatio: cycleMs(reference) / cycleMs(run),
        requestRatio: requests(reference) / requests(run),
      };
    });
    const byTime = crossing(points, 'timeRatio');
    const byRequests = crossing(points, 'requestRatio');
    const describe = (at) =>
      at === undefined
        ? 'at no point of the sweep'
        : at.below === undefined
          ? `from the sweep's first point (${at.above} organizations per repository) on`
          : `from about ${at.estimate.toFixed(1)} organizations per repository (between ${at.below} and ${at.above})`;
    return {
      verificationCycles,
      points,
      byTime,
      byRequests,
      text: `in cycle time ${describe(byTime)}, in requests ${describe(byRequests)}`,
    };
  });
}

/** The first point from which the ratio stays above 1, with a log-linear estimate of where it crossed 1. */
function crossing(points, key) {
  let first = points.length;
  while (first > 0 && points[first - 1][key] > 1) first--;
  if (first === points.length) return undefined;
  const above = points[first];
  if (first === 0) return { above: above.organizationsPerRepository, below: undefined, estimate: undefined };
  const below = points[first - 1];
  const [x0, x1] = [Math.log(below.organizationsPerRepository), Math.log(above.organizationsPerRepository)];
  const [y0, y1] = [below[key], above[key]];
  const estimate = Math.exp(x0 + ((1 - y0) / (y1 - y0)) * (x1 - x0));
  return { above: above.organizationsPerRepository, below: below.organizationsPerRepository, estimate };
}

const signedMib = (bytes) => `${bytes >= 0 ? '+' : ''}${mib(bytes)}`;
