/**
 * Issue 19 at scale: what reading /Jobs, /CopyJobs and /Proxies once a cycle costs the exporter.
 *   a. N organizations without jobs beside the same N with `jobsPerOrganization` backup jobs each and
 *      `proxies` proxies, in the same run (rounds alternate without, with, with, without...): peak RSS and
 *      CPU per cycle side by side, the peak RSS delta against the issue's 20 MB;
 *   b. the v6 and v7 /Jobs answer (one plain array of every job, which cannot be asked in pages) read by an
 *      exporter on that version with the default max_response_bytes: its real size beside max_response_bytes
 *      and the answer budget that caps it (4 x max_response_bytes, shared by all answers in flight), and
 *      whether every job was exported (no too_large, no invalid answer). A version refused at the default
 *      is read again with `raisedMaxResponseBytes`, to show what it would take.
 * Each exporter runs in a child of its own (bench/exporter-child.mjs), so each peak RSS is that run's alone.
 */
import console from 'node:console';
import { answerBudgetBytes } from '../../dist/vb365/byte-budget.js';
import { DEFAULTS } from '../../dist/config/load.js';
import { startExporterChild, startSimulatorChild, statsDelta } from './children.mjs';
import { answerSize } from './http.mjs';
import { mib, ms, printTable, verdict } from './report.mjs';
import { median } from './stats.mjs';

/** Issue 19: at most 20 MB more peak RSS with the jobs and proxies than without. */
const JOBS_PEAK_RSS_TARGET_BYTES = 20 * 1000 * 1000;
/** The page size the exporter asks of v8 Jobs listings (src/facts/jobs/parse.ts JOBS_PAGE). */
const JOBS_PAGE = 1_000;

export const JOBS_PLAN = {
  organizations: 10_000,
  jobsPerOrganization: 2,
  proxies: 50,
  repeats: 3,
  rounds: 2,
  versions: ['v6', 'v7'],
  raisedMaxResponseBytes: 32 * 2 ** 20,
};
/** CI's: small, one round, v6 only (v7 reads its array the same way). */
export const JOBS_SMOKE_PLAN = {
  ...JOBS_PLAN,
  organizations: 200,
  proxies: 5,
  repeats: 1,
  rounds: 1,
  versions: ['v6'],
};

/**
 * `plan`: JOBS_PLAN's fields; `setup`: { latencyMs, concurrency, repositoriesPerOrganization,
 * exporterExecArgv, exporterMemoryLimitBytes (a memory cgroup per exporter child, as a pod runs; optional),
 * progress(message) }.
 */
export async function benchJobs(plan, setup) {
  const expectedJobs = plan.organizations * plan.jobsPerOrganization;
  const generated = (withJobs) => ({
    organizationCount: plan.organizations,
    repositoriesPerOrganization: setup.repositoriesPerOrganization,
    latencyMs: setup.latencyMs,
    // A diagnosis: the simulator's page size caps every v8 page whatever the exporter asks (10,000 unless told).
    ...(plan.simulatorPageSize === undefined ? {} : { pageSize: plan.simulatorPageSize }),
    ...(withJobs ? { jobsPerOrganization: plan.jobsPerOrganization, proxyCount: plan.proxies } : {}),
  });
  setup.progress(`jobs: starting the simulators (${plan.organizations} organizations, without and with jobs)`);
  const simulators = {
    without: await startSimulatorChild(generated(false)),
    with: await startSimulatorChild(generated(true)),
  };
  try {
    // Without, with, with, without...: a drift of the machine's load over the run hits both alike.
    const order = Array.from({ length: plan.rounds }, (_, round) =>
      round % 2 === 0 ? ['without', 'with'] : ['with', 'without'],
    ).flat();
    const runs = { without: [], with: [] };
    for (const [index, scenario] of order.entries()) {
      setup.progress(`jobs: ${scenario} jobs, run ${index + 1}/${order.length}`);
      runs[scenario].push(await measureExporter(simulators[scenario], { apiVersion: 'v8' }, plan.repeats, setup));
    }

    const answers = [];
    for (const version of plan.versions) {
      const path = `/${version}/Jobs`;
      const size = await answerSize(simulators.with, version, path);
      setup.progress(`jobs: ${version} exporter, ${path} answer of ${size.items} jobs, ${size.bytes} bytes`);
      const atDefault = await measureExporter(simulators.with, { apiVersion: version }, 1, setup);
      const answer = { version, path, ...size, atDefault };
      if (!everyJobRead(atDefault, expectedJobs)) {
        setup.progress(`jobs: ${version} exporter again with max_response_bytes ${plan.raisedMaxResponseBytes}`);
        answer.atRaised = await measureExporter(
          simulators.with,
          { apiVersion: version, maxResponseBytes: plan.raisedMaxResponseBytes },
          1,
          setup,
        );
      }
      answers.push(answer);
    }
    return {
      plan,
      expectedJobs,
      exporterExecArgv: setup.exporterExecArgv,
      exporterMemoryLimitBytes: setup.exporterMemoryLimitBytes,
      runs,
      answers,
    };
  } finally {
    await Promise.all(Object.values(simulators).map((simulator) => simulator.close()));
  }
}

/** One exporter child: its first cycle, `repeats` warm ones, then its peak RSS, request counters and heap after GC. */
async function measureExporter(simulator, options, repeats, setup) {
  const exporter = await startExporterChild(
    simulator,
    { concurrency: setup.concurrency, ...options },
    setup.exporterExecArgv,
    setup.exporterMemoryLimitBytes,
  );
  try {
    const cycles = [];
    for (let run = 0; run < repeats; run++) {
      await simulator.reset();
      const before = await simulator.stats();
      const poll = await exporter.poll();
      cycles.push({ ...poll, simulator: statsDelta(before, await simulator.stats()) });
    }
    const usage = await exporter.call('usage');
    const requests = await exporter.call('requests');
    const heap = await exporter.call('heap');
    return {
      options,
      cold: exporter.cold,
      cycles,
      peakRssAfterCycles: usage.memory.maxRssBytes,
      requests,
      heapAfterGc: heap.heapUsed,
      heapSizeLimitBytes: exporter.heapSizeLimitBytes,
      ...exporter.inCgroup(),
    };
  } catch (error) {
    throw exporter.explained(error);
  } finally {
    await exporter.close();
  }
}

const lastCycle = (run) => run.cycles.at(-1);
const everyJobRead = (run, expectedJobs) => run.cycles.every((cycle) => cycle.jobs === expectedJobs);
/** How the exporter's reads of /Jobs ended, over its whole life: `200 x2, too_large x2`. */
const jobsCodes = (run) =>
  Object.entries(run.requests.byEndpoint.jobs ?? {})
    .map(([code, count]) => `${code} x${count}`)
    .join(', ') || 'none';
const refusals = (run) =>
  Object.entries(run.requests.byEndpoint.jobs ?? {})
    .filter(([code]) => code !== '200')
    .reduce((sum, [, count]) => sum + count, 0) + (run.requests.invalidAnswers.jobs ?? 0);
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** The cap of a v6/v7 /Jobs array (src/vb365/routes.ts answerLimit): the answer budget of the run's max_response_bytes. */
const budget = (run) => answerBudgetBytes([{ maxResponseBytes: run.requests.maxResponseBytes }]);

/** What must hold whatever the machine's speed; a default cap too small for the answer is a finding, not a failure. */
export function jobsFailures(result) {
  const failures = [];
  const { plan, expectedJobs } = result;
  for (const [scenario, runs] of Object.entries(result.runs)) {
    const jobs = scenario === 'with' ? expectedJobs : 0;
    const proxies = scenario === 'with' ? plan.proxies : 0;
    for (const [index, run] of runs.entries()) {
      for (const cycle of run.cycles) {
        const where = `jobs, ${scenario} jobs, run ${index + 1}`;
        if (!cycle.up || cycle.failed > 0 || cycle.organizations !== plan.organizations)
          failures.push(`${where}: up ${cycle.up}, ${cycle.organizations} organizations, ${cycle.failed} failed`);
        if (cycle.jobs !== jobs || cycle.proxies !== proxies)
          failures.push(
            `${where}: ${cycle.jobs} jobs and ${cycle.proxies} proxies exported, expected ${jobs} and ${proxies}`,
          );
        const routes = cycle.simulator.byRoute;
        if (routes.used_repositories !== plan.organizations)
          failures.push(`${where}: ${routes.used_repositories} UsedRepositories requests`);
        // One read of each listing a cycle: its pages, never a request per organization.
        const pages = Math.max(1, Math.ceil(jobs / Math.min(JOBS_PAGE, plan.simulatorPageSize ?? JOBS_PAGE)));
        if (routes.jobs !== pages || routes.copy_jobs !== 1 || routes.proxies !== 1)
          failures.push(
            `${where}: ${routes.jobs} Jobs, ${routes.copy_jobs} CopyJobs, ${routes.proxies} Proxies requests a cycle (expected ${pages}, 1, 1)`,
          );
      }
    }
  }
  for (const answer of result.answers) {
    const fits = answer.bytes <= budget(answer.atDefault);
    if (fits && !everyJobRead(answer.atDefault, expectedJobs))
      failures.push(
        `jobs: the ${answer.version} /Jobs answer (${answer.bytes} bytes) is under the answer budget, yet ${lastCycle(answer.atDefault).jobs} of ${expectedJobs} jobs were exported (${jobsCodes(answer.atDefault)})`,
      );
    if (answer.atRaised !== undefined && !everyJobRead(answer.atRaised, expectedJobs))
      failures.push(
        `jobs: the ${answer.version} /Jobs answer was not read with max_response_bytes ${answer.atRaised.requests.maxResponseBytes} either (${jobsCodes(answer.atRaised)})`,
      );
  }
  return failures;
}

/** How the exporter children ran, when not with Node's defaults. */
function setupNote(result) {
  const notes = [];
  if (result.exporterExecArgv?.length > 0) notes.push(`exporter flags ${result.exporterExecArgv.join(' ')}`);
  if (result.exporterMemoryLimitBytes !== undefined)
    notes.push(`each exporter in a memory cgroup of ${mib(result.exporterMemoryLimitBytes)}`);
  return notes.length === 0 ? '' : `, ${notes.join(', ')}`;
}

export function reportJobs(result) {
  const { plan, expectedJobs, runs } = result;
  const peak = (run) => run.peakRssAfterCycles;
  const cpu = (run) => median(run.cycles.map((cycle) => cycle.cpuMs));
  const cycleMs = (run) => median(run.cycles.map((cycle) => cycle.cycleSeconds * 1000));
  const allocated = (run) => median(run.cycles.map((cycle) => cycle.allocatedBytes));
  const listingRequests = (run) => {
    const routes = run.cycles[0].simulator.byRoute;
    return `${routes.jobs ?? 0} + ${routes.copy_jobs ?? 0} + ${routes.proxies ?? 0}`;
  };
  // Each figure: every run's value in run order, and the mean of the runs, which the delta compares.
  const row = (label, figure, format, target) => {
    const without = runs.without.map(figure);
    const withJobs = runs.with.map(figure);
    const delta = mean(withJobs) - mean(without);
    const shown = (values) =>
      `${format(mean(values))}${values.length > 1 ? ` (${values.map(format).join(', ')})` : ''}`;
    const relative = mean(without) === 0 ? '' : ` (${((delta / mean(without)) * 100).toFixed(1)} %)`;
    return [
      label,
      shown(without),
      shown(withJobs),
      `${delta >= 0 ? '+' : ''}${format(delta)}${relative}`,
      target?.(delta) ?? '',
    ];
  };
  const targetMiB = mib(JOBS_PEAK_RSS_TARGET_BYTES);
  printTable(
    `6. Jobs and proxies at N = ${plan.organizations} (issue 19): without jobs beside ${expectedJobs} backup jobs (${plan.jobsPerOrganization} per organization) and ${plan.proxies} proxies, same run${plan.simulatorPageSize === undefined ? '' : `, the simulator's pages at most ${plan.simulatorPageSize} items`}${setupNote(result)}; mean of ${plan.rounds} exporter run(s) each (runs in brackets), ${plan.repeats} warm cycle(s) a run`,
    ['figure', 'without jobs', `with ${expectedJobs} jobs, ${plan.proxies} proxies`, 'delta', 'target'],
    [
      row(
        'peak RSS, cold and warm cycles',
        peak,
        mib,
        (delta) => `<= 20 MB (${targetMiB}): ${verdict(delta <= JOBS_PEAK_RSS_TARGET_BYTES)}`,
      ),
      row('exporter CPU per cycle (median of warm cycles)', cpu, (value) => ms(value)),
      row('poll cycle (median of warm cycles)', cycleMs, (value) => ms(value)),
      row('heap allocated per cycle', allocated, mib),
      row('heap after GC', (run) => run.heapAfterGc, mib),
      row('V8 heap size limit', (run) => run.heapSizeLimitBytes, mib),
      ...(runs.with[0].cgroupPeakBytes === undefined
        ? []
        : [
            row("the memory cgroup's peak charge", (run) => run.cgroupPeakBytes, mib),
            row('OOM kills', (run) => run.oomKills, String),
          ]),
      [
        'Jobs + CopyJobs + Proxies requests per cycle',
        listingRequests(runs.without[0]),
        listingRequests(runs.with[0]),
        '',
        'one read of each listing',
      ],
      [
        'jobs / proxies exported',
        `${lastCycle(runs.without[0]).jobs} / ${lastCycle(runs.without[0]).proxies}`,
        `${lastCycle(runs.with[0]).jobs} / ${lastCycle(runs.with[0]).proxies}`,
        '',
        `${expectedJobs} / ${plan.proxies}`,
      ],
    ],
  );

  if (result.answers.length === 0) return;
  const answerRow = (answer, run, label) => {
    const read = everyJobRead(run, expectedJobs) && refusals(run) === 0;
    return [
      `${answer.version}, ${label}`,
      `${answer.bytes} B (${mib(answer.bytes)})`,
      `${run.requests.maxResponseBytes} B (${mib(run.requests.maxResponseBytes)})`,
      `${(answer.bytes / run.requests.maxResponseBytes).toFixed(2)}`,
      `${mib(budget(run))}`,
      `${(answer.bytes / budget(run)).toFixed(2)}`,
      `${lastCycle(run).jobs} of ${expectedJobs}`,
      jobsCodes(run),
      String(run.requests.invalidAnswers.jobs ?? 0),
      read ? 'read' : 'NOT READ',
      mib(run.peakRssAfterCycles),
    ];
  };
  printTable(
    `   The v6/v7 /Jobs answer: one plain array of all ${expectedJobs} jobs that cannot be asked in pages, read by an exporter on that version (a cold and a warm cycle); its cap is the answer budget (4 x max_response_bytes), shared by every answer in flight`,
    [
      'version, cap',
      '/Jobs answer',
      'max_response_bytes',
      'answer / max_response_bytes',
      'answer budget (its cap)',
      'answer / budget',
      'jobs exported',
      'Jobs requests (code x count)',
      'invalid answers',
      'verdict',
      'peak RSS',
    ],
    result.answers.flatMap((answer) => [
      answerRow(answer, answer.atDefault, `default (${mib(DEFAULTS.maxResponseBytes)})`),
      ...(answer.atRaised === undefined ? [] : [answerRow(answer, answer.atRaised, 'raised')]),
    ]),
  );
  for (const answer of result.answers.filter((a) => a.bytes > budget(a.atDefault))) {
    console.log(
      `   FINDING: the ${answer.version} /Jobs answer of ${answer.items} jobs is ${answer.bytes} bytes, ${answer.bytes - budget(answer.atDefault)} more than the default answer budget (${budget(answer.atDefault)}): the exporter refuses it (too_large) and exports no jobs.`,
    );
  }
}
