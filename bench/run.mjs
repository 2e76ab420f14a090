/**
 * npm run bench [-- --smoke] [-- --sizes 1000,5000 --repeats 3 --out FILE --profile DIR]
 * (--profile writes a CPU and a heap profile of each exporter child into DIR and prints their top ten
 * functions at the end; --exporter-node-options passes Node
 * options to the exporter child, e.g. --exporter-node-options=--max-old-space-size=192.)
 *
 * The simulator (TLS, fixed latency) and the exporter each run in a child process; this process
 * measures, beside every figure, the bound or baseline it is judged against, measured in the same run:
 *   1. poll cycle vs ceil(requests / concurrency) x RTT, the shell-script way and a bare undici loop;
 *   2. cost: exporter CPU per organization poll, TLS handshakes, token requests, requests per cycle;
 *   3. /metrics latency vs a static buffer on bare node:http and vs prom-client's registry.metrics(),
 *      and the cycle with scrapes running vs without;
 *   4. peak RSS of the exporter at each N;
 *   5. the status page; 6. issue 19's jobs and proxies at 10,000 organizations, without and with, and the
 *      v6/v7 /Jobs answer of 20,000 jobs (lib/jobs-scale.mjs; --skip-jobs leaves it out).
 * Prints tables and writes the whole result to bench/results/latest.json. Timing targets are only
 * reported; the exit code is 1 when something is functionally wrong (a failed poll or scrape, a request
 * count that is not exactly one UsedRepositories per organization, more logins or TLS handshakes than
 * allowed), so the smoke run can guard CI.
 */
import console from 'node:console';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startExporterChild, startReferenceChild, startSimulatorChild, statsDelta } from './lib/children.mjs';
import {
  bareLoop,
  login,
  oneAtATimeNewConnection,
  organizationIds,
  roundTrip,
  scrape,
  scrapeClient,
  scrapeUntil,
} from './lib/http.mjs';
import { machine, mib, ms, printTable, verdict } from './lib/report.mjs';
import { parseBytes } from './lib/memory-limit.mjs';
import { allocationHotspots, cpuHotspots } from './lib/profile-summary.mjs';
import { JOBS_PLAN, JOBS_SMOKE_PLAN, benchJobs, jobsFailures, reportJobs } from './lib/jobs-scale.mjs';
import { measureStatusPage } from './lib/status-page.mjs';
import { median, spread, summarize } from './lib/stats.mjs';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    repeats: { type: 'string' },
    out: { type: 'string' },
    profile: { type: 'string' },
    'exporter-node-options': { type: 'string' },
    'skip-big-answers': { type: 'boolean', default: false },
    'skip-jobs': { type: 'boolean', default: false },
    'exporter-memory-limit': { type: 'string' },
  },
});

const CONCURRENCY = 32;
/** Issue 12: peak RSS at 10,000 organizations with default Node flags. */
const PEAK_RSS_TARGET = 160 * 2 ** 20;
const LATENCY_MS = 20;
const REPOSITORIES_PER_ORGANIZATION = 2;
const plan = flags.smoke
  ? { sizes: [200], repeats: 1, rttCount: 50, shellSample: 50, scrapeRounds: 10, promClientRounds: 5 }
  : {
      sizes: [1_000, 5_000, 10_000, 20_000],
      repeats: 3,
      rttCount: 200,
      shellSample: 200,
      scrapeRounds: 40,
      promClientRounds: 10,
    };
if (flags.sizes !== undefined) plan.sizes = flags.sizes.split(',').map(Number);
if (flags.repeats !== undefined) plan.repeats = Number(flags.repeats);
/** The scrape figures are taken at N = 10,000 (issue 12's targets), or at the largest N without it. */
const scrapeSize = plan.sizes.includes(10_000) ? 10_000 : Math.max(...plan.sizes);
const out = flags.out ?? fileURLToPath(new URL('./results/latest.json', import.meta.url));

const exporterExecArgv = [
  ...(flags['exporter-node-options']?.split(' ').filter((option) => option !== '') ?? []),
  ...(flags.profile === undefined
    ? []
    : ['--cpu-prof', `--cpu-prof-dir=${flags.profile}`, '--heap-prof', `--heap-prof-dir=${flags.profile}`]),
];
const result = {
  startedAt: new Date().toISOString(),
  machine: machine(),
  plan,
  concurrency: CONCURRENCY,
  latencyMs: LATENCY_MS,
  exporterExecArgv,
  exporterMemoryLimitBytes:
    flags['exporter-memory-limit'] === undefined ? undefined : parseBytes(flags['exporter-memory-limit']),
  sizes: [],
};
console.log(
  `vb365-exporter bench${flags.smoke ? ' (smoke)' : ''}: node ${result.machine.node}, ${result.machine.cpus} x ${result.machine.cpuModel}, load ${result.machine.loadAverage.join(' ')}` +
    (exporterExecArgv.length > 0 ? `; exporter runs with ${exporterExecArgv.join(' ')}` : '') +
    (result.exporterMemoryLimitBytes === undefined
      ? ''
      : `; exporter in a memory cgroup of ${mib(result.exporterMemoryLimitBytes)}`),
);

for (const size of plan.sizes) {
  console.log(
    `\n-- N = ${size} organizations x ${REPOSITORIES_PER_ORGANIZATION} repositories, latency ${LATENCY_MS} ms, concurrency ${CONCURRENCY}`,
  );
  result.sizes.push(await benchSize(size));
}
progress(`status page: ${scrapeSize} organizations, rendered in this process`);
result.statusPage = measureStatusPage(scrapeSize);
if (!flags['skip-jobs']) {
  result.jobs = await benchJobs(flags.smoke ? JOBS_SMOKE_PLAN : JOBS_PLAN, {
    latencyMs: LATENCY_MS,
    concurrency: CONCURRENCY,
    repositoriesPerOrganization: REPOSITORIES_PER_ORGANIZATION,
    exporterExecArgv,
    exporterMemoryLimitBytes: result.exporterMemoryLimitBytes,
    progress,
  });
}
if (!flags.smoke && !flags['skip-big-answers']) {
  progress('big answers: bench/big-answers.mjs (12 MB UsedRepositories answers at concurrency 16)');
  result.bigAnswers = bigAnswers();
}
result.finishedAt = new Date().toISOString();
result.machine.loadAverageAtEnd = machine().loadAverage;
result.failures = functionalFailures(result);
report(result);
if (flags.profile !== undefined) reportProfiles(flags.profile);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwrote ${out}`);
if (result.failures.length > 0) {
  console.log(`\nFAILED:\n${result.failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exitCode = 1;
}

async function benchSize(size) {
  const simulator = await startSimulatorChild({
    organizationCount: size,
    repositoriesPerOrganization: REPOSITORIES_PER_ORGANIZATION,
    latencyMs: LATENCY_MS,
  });
  try {
    const token = await login(simulator);
    const ids = await organizationIds(simulator, token);
    if (ids.length !== size) throw new Error(`the simulator lists ${ids.length} organizations, expected ${size}`);

    progress('round trip, one request at a time');
    const rtt = summarize(await roundTrip(simulator, token, ids, { count: plan.rttCount }));
    progress(`shell-script way, ${Math.min(size, plan.shellSample)} organizations`);
    const shellTimes = summarize(await oneAtATimeNewConnection(simulator, token, ids.slice(0, plan.shellSample)));
    const shell = {
      perOrganization: shellTimes,
      sample: shellTimes.n,
      extrapolated: size > shellTimes.n,
      cycleMs: shellTimes.mean * size,
    };
    progress('bare undici loop');
    const bareRuns = await bareLoop(simulator, token, { connections: CONCURRENCY, runs: plan.repeats + 1 });
    const warmBare = bareRuns.slice(1);
    const bare = {
      coldMs: bareRuns[0].ms,
      warmMs: warmBare.map((run) => run.ms),
      latencyMsAtConcurrency: median(warmBare.map((run) => run.latencyMs)),
      cpuMsPerRequest: median(warmBare.map((run) => run.cpuMsPerRequest)),
      allocatedBytesPerPoll: median(warmBare.map((run) => run.allocatedBytesPerPoll)),
      promotedBytesPerPoll: median(warmBare.map((run) => run.promotedBytesPerPoll)),
    };

    progress('exporter: first (cold) cycle');
    await simulator.reset();
    let before = await simulator.stats();
    const exporter = await startExporterChild(
      simulator,
      { concurrency: CONCURRENCY },
      exporterExecArgv,
      result.exporterMemoryLimitBytes,
    );
    const cold = { ...exporter.cold, simulator: statsDelta(before, await simulator.stats()) };
    const cycles = [];
    const firstGzipScrapes = [];
    const scrapeClientOfExporter = scrapeClient(exporter.url);
    try {
      for (let run = 0; run < plan.repeats; run++) {
        progress(`exporter: warm cycle ${run + 1}/${plan.repeats}`);
        await simulator.reset();
        before = await simulator.stats();
        const poll = await exporter.poll();
        const simulatorDelta = statsDelta(before, await simulator.stats());
        cycles.push({
          ...poll,
          simulator: simulatorDelta,
          boundMs: Math.ceil(simulatorDelta.requests / CONCURRENCY) * rtt.p50,
        });
        // The first gzip scrape after a cycle is the one that may wait for the compression.
        firstGzipScrapes.push((await scrape(scrapeClientOfExporter, '/metrics', true)).ms);
      }
      const afterCycles = await exporter.call('usage');
      const scrapes = size === scrapeSize ? await benchScrapes(exporter, scrapeClientOfExporter) : undefined;
      // Memory before the bench's own render timing below, which allocates a rendering of its own.
      const usage = await exporter.call('usage');
      const heap = await exporter.call('heap');
      const render = await exporter.call('render');
      return {
        size,
        rtt,
        shell,
        bare,
        cold,
        cycles,
        firstGzipScrapes,
        scrapes,
        render,
        memory: usage.memory,
        heapSizeLimitBytes: exporter.heapSizeLimitBytes,
        constrainedMemoryBytes: exporter.constrainedMemoryBytes,
        ...exporter.inCgroup(),
        peakRssAfterCycles: afterCycles.memory.maxRssBytes,
        heapAfterGc: heap.heapUsed,
        externalAfterGc: heap.external,
      };
    } catch (error) {
      throw exporter.explained(error);
    } finally {
      await scrapeClientOfExporter.close();
      await exporter.close();
    }
  } finally {
    await simulator.close();
  }
}

/** /metrics latency against the two references, then cycles with and without scrapes running. */
async function benchScrapes(exporter, exporterClient) {
  progress('scrapes: starting the reference servers');
  const reference = await startReferenceChild(`${exporter.url}/metrics`);
  const targets = [
    { name: 'exporter', client: exporterClient, rounds: plan.scrapeRounds },
    { name: 'static buffer, bare node:http', client: scrapeClient(reference.staticUrl), rounds: plan.scrapeRounds },
    {
      name: 'prom-client registry.metrics()',
      client: scrapeClient(reference.promClientUrl),
      rounds: plan.promClientRounds,
    },
  ];
  const latencies = Object.fromEntries(targets.map((target) => [target.name, { plain: [], gzip: [], bytes: {} }]));
  try {
    // Interleaved rounds, so a burst of noise on the machine hits every target alike.
    for (const target of targets) for (const gzip of [false, true]) await scrape(target.client, '/metrics', gzip); // warm-up
    for (let round = 0; round < plan.scrapeRounds; round++) {
      if (round % 10 === 0) progress(`scrapes: round ${round + 1}/${plan.scrapeRounds}`);
      for (const target of targets) {
        if (round >= target.rounds) continue;
        for (const gzip of [false, true]) {
          const { ms: latency, bytes } = await scrape(target.client, '/metrics', gzip);
          latencies[target.name][gzip ? 'gzip' : 'plain'].push(latency);
          latencies[target.name].bytes[gzip ? 'gzip' : 'plain'] = bytes;
        }
      }
    }
  } finally {
    for (const target of targets.slice(1)) await target.client.close();
    await reference.close();
  }

  // Cycles in turn: without scrapes; with two Prometheus-like scrapers (gzip, both at once every second,
  // 15 to 60 times a usual scrape interval); with two scrapers back to back (one plain, one gzip: stress).
  const quiet = [];
  const regular = [];
  const stress = [];
  const during = { regular: [], stress: [] };
  const pollWhileScraping = async (options, into, scrapes) => {
    const stop = new globalThis.AbortController();
    const scraping = scrapeUntil(`${exporter.url}/metrics`, { ...options, signal: stop.signal });
    into.push((await exporter.poll()).cycleSeconds * 1000);
    stop.abort();
    scrapes.push(await scraping);
  };
  for (let run = 0; run < plan.repeats; run++) {
    progress(`scrapes: cycle ${run + 1}/${plan.repeats} without, with regular, with back-to-back scrapers`);
    quiet.push((await exporter.poll()).cycleSeconds * 1000);
    await pollWhileScraping({ scrapers: 2, gzip: true, intervalMs: 1000, aligned: true }, regular, during.regular);
    await pollWhileScraping({ scrapers: 2, gzip: (index) => index % 2 === 1 }, stress, during.stress);
  }
  const summarizeDuring = (runs) => ({
    latency: summarize(runs.flatMap((run) => run.latencies)),
    failed: runs.flatMap((run) => run.failures),
  });
  return {
    samples: reference.samples,
    latencies: Object.fromEntries(
      Object.entries(latencies).map(([name, figures]) => [
        name,
        { plain: summarize(figures.plain), gzip: summarize(figures.gzip), bytes: figures.bytes },
      ]),
    ),
    cycleWithoutScrapesMs: quiet,
    cycleWithRegularScrapesMs: regular,
    cycleWithBackToBackScrapesMs: stress,
    scrapesDuringRegular: summarizeDuring(during.regular),
    scrapesDuringBackToBack: summarizeDuring(during.stress),
  };
}

/** What must hold whatever the machine's speed. */
function functionalFailures(result) {
  const failures = [];
  for (const s of result.sizes) {
    for (const [index, cycle] of s.cycles.entries()) {
      const where = `N = ${s.size}, warm cycle ${index + 1}`;
      if (!cycle.up || cycle.failed > 0 || cycle.organizations !== s.size)
        failures.push(`${where}: up ${cycle.up}, ${cycle.organizations} organizations, ${cycle.failed} failed`);
      if (cycle.simulator.byRoute.used_repositories !== s.size)
        failures.push(`${where}: ${cycle.simulator.byRoute.used_repositories} UsedRepositories requests`);
      if (cycle.simulator.tokenRequests > 0)
        failures.push(`${where}: ${cycle.simulator.tokenRequests} token requests with a valid token`);
      if (cycle.simulator.connections > result.concurrency)
        failures.push(`${where}: ${cycle.simulator.connections} TLS handshakes`);
    }
    if (s.cold.simulator.tokenRequests > 1)
      failures.push(`N = ${s.size}, cold cycle: ${s.cold.simulator.tokenRequests} token requests`);
    if (s.cold.simulator.connections > result.concurrency)
      failures.push(`N = ${s.size}, cold cycle: ${s.cold.simulator.connections} TLS handshakes`);
    const failed =
      s.scrapes === undefined
        ? []
        : [...s.scrapes.scrapesDuringRegular.failed, ...s.scrapes.scrapesDuringBackToBack.failed];
    if (failed.length > 0)
      failures.push(`N = ${s.size}: ${failed.length} failed scrapes (${[...new Set(failed)].slice(0, 3).join('; ')})`);
  }
  if (result.bigAnswers?.failed !== undefined) failures.push(result.bigAnswers.failed);
  if (result.jobs !== undefined) failures.push(...jobsFailures(result.jobs));
  return failures;
}

function report(result) {
  printTable(
    `1. Poll cycle (ms; median (min-max) of ${result.plan.repeats} warm cycles; bound = ceil(requests / ${result.concurrency}) x RTT, RTT = p50 one at a time over a kept-alive connection)`,
    [
      'N',
      'RTT (p50, mean)',
      'requests',
      'bound',
      'exporter cycle',
      'x bound',
      '<=1.10',
      'bare undici x32',
      'x bound',
      'exporter x bare',
      '<=1.05',
      'its request latency',
      'cold cycle',
      'one at a time, new TLS each',
    ],
    result.sizes.map((s) => {
      const cycleMs = s.cycles.map((cycle) => cycle.cycleSeconds * 1000);
      const bound = median(s.cycles.map((cycle) => cycle.boundMs));
      const ratio = median(cycleMs) / bound;
      return [
        s.size,
        `${s.rtt.p50.toFixed(1)}, ${s.rtt.mean.toFixed(1)}`,
        s.cycles[0]?.simulator.requests,
        ms(bound),
        spread(cycleMs),
        ratio.toFixed(3),
        verdict(ratio <= 1.1),
        spread(s.bare.warmMs),
        (median(s.bare.warmMs) / bound).toFixed(3),
        (median(cycleMs) / median(s.bare.warmMs)).toFixed(3),
        verdict(median(cycleMs) / median(s.bare.warmMs) <= 1.05),
        ms(s.bare.latencyMsAtConcurrency, 1),
        ms(s.cold.cycleSeconds * 1000),
        `${(s.shell.cycleMs / 1000).toFixed(1)} s${s.shell.extrapolated ? ` (from ${s.shell.sample})` : ''}`,
      ];
    }),
  );

  printTable(
    '2. Cost per cycle (warm cycles, CPU includes applying the result and rendering /metrics; cold = the first cycle after start)',
    [
      'N',
      'CPU / org poll',
      '<=0.12 ms',
      'heap allocated / org poll',
      '<=10 KB (issue 12)',
      'bare undici loop',
      'promoted to old gen / org poll (bare loop)',
      'GC pauses / cycle',
      'bare undici CPU / request',
      'TLS handshakes warm / cold',
      '<=32',
      'token requests warm / cold',
      '<=1',
      'used_repositories',
      'listings (orgs + backup pages)',
      'simulator CPU / request',
    ],
    result.sizes.map((s) => {
      const cpuPerPoll = median(s.cycles.map((cycle) => cycle.cpuMs / s.size));
      // V8's GC statistics across the whole warm cycle (v8.GCProfiler, bench/lib/allocation.mjs), divided by N.
      const allocatedPerPoll = median(s.cycles.map((cycle) => cycle.allocatedBytes / s.size));
      const handshakes = Math.max(...s.cycles.map((cycle) => cycle.simulator.connections));
      const tokens = Math.max(...s.cycles.map((cycle) => cycle.simulator.tokenRequests));
      const routes = s.cycles[0].simulator.byRoute;
      return [
        s.size,
        `${cpuPerPoll.toFixed(3)} ms (${spread(
          s.cycles.map((cycle) => cycle.cpuMs / s.size),
          3,
        )})`,
        verdict(cpuPerPoll <= 0.12),
        `${(allocatedPerPoll / 1000).toFixed(1)} KB`,
        verdict(allocatedPerPoll <= 10_000),
        `${(s.bare.allocatedBytesPerPoll / 1000).toFixed(1)} KB`,
        `${promoted(s.cycles, s.size)} (${promotedBare(s.bare)})`,
        `${ms(median(s.cycles.map((cycle) => cycle.gcPauseMs)), 1)} (${median(s.cycles.map((cycle) => cycle.collections))} GCs)`,
        `${s.bare.cpuMsPerRequest.toFixed(3)} ms`,
        `${handshakes} / ${s.cold.simulator.connections}`,
        verdict(handshakes <= result.concurrency && s.cold.simulator.connections <= result.concurrency),
        `${tokens} / ${s.cold.simulator.tokenRequests}`,
        verdict(tokens <= 1 && s.cold.simulator.tokenRequests <= 1),
        `${routes.used_repositories} ${routes.used_repositories === s.size ? '= N' : '!= N'}`,
        `${routes.organizations} + ${routes.backup_repositories}`,
        `${median(s.cycles.map((cycle) => cycle.simulator.cpuMs / cycle.simulator.requests)).toFixed(3)} ms`,
      ];
    }),
  );

  const scraped = result.sizes.find((s) => s.scrapes !== undefined);
  if (scraped !== undefined) {
    const { latencies, samples } = scraped.scrapes;
    const staticName = 'static buffer, bare node:http';
    const rowsScrape = Object.entries(latencies).map(([name, figures]) => {
      const ratioPlain = figures.plain.p50 / latencies[staticName].plain.p50;
      const ratioGzip = figures.gzip.p50 / latencies[staticName].gzip.p50;
      return [
        name,
        `${ms(figures.plain.p50, 1)} / ${ms(figures.plain.p99, 1)}`,
        `${ratioPlain.toFixed(2)}${name === 'exporter' ? ` ${verdict(ratioPlain <= 1.5)}` : ''}`,
        `${ms(figures.gzip.p50, 1)} / ${ms(figures.gzip.p99, 1)}`,
        `${ratioGzip.toFixed(2)}${name === 'exporter' ? ` ${verdict(ratioGzip <= 1.5)}` : ''}`,
        `${mib(figures.bytes.plain)} / ${mib(figures.bytes.gzip)}`,
      ];
    });
    printTable(
      `3. /metrics at N = ${scraped.size} (${samples} VB365 samples; p50 / p99; x = p50 / static p50, target <= 1.5)`,
      ['served by', 'plain p50 / p99', 'x static', 'gzip p50 / p99', 'x static', 'bytes plain / gzip'],
      rowsScrape,
    );
    const { scrapes } = scraped;
    const quiet = median(scrapes.cycleWithoutScrapesMs);
    const slower = (cycles) => median(cycles) / quiet - 1;
    const regularSlower = slower(scrapes.cycleWithRegularScrapesMs);
    const stressSlower = slower(scrapes.cycleWithBackToBackScrapesMs);
    const described = ({ latency, failed }) =>
      `${latency.n} scrapes, p50 ${ms(latency.p50, 1)}, p99 ${ms(latency.p99, 1)}, failed ${failed.length}`;
    printTable(
      '   Scrapes during a cycle',
      ['figure', 'value', 'target'],
      [
        ['cycle without scrapes', spread(scrapes.cycleWithoutScrapesMs), ''],
        [
          'cycle, 2 scrapers (gzip) at once every 1 s',
          `${spread(scrapes.cycleWithRegularScrapesMs)}: ${(regularSlower * 100).toFixed(1)} % slower`,
          `<= 10 % ${verdict(regularSlower <= 0.1)}`,
        ],
        ['   their scrapes', described(scrapes.scrapesDuringRegular), 'no failures'],
        [
          'cycle, 2 scrapers back to back (plain, gzip)',
          `${spread(scrapes.cycleWithBackToBackScrapesMs)}: ${(stressSlower * 100).toFixed(1)} % slower`,
          'stress, no target',
        ],
        ['   their scrapes', described(scrapes.scrapesDuringBackToBack), 'no failures'],
        ['first gzip scrape after a cycle', spread(scraped.firstGzipScrapes, 1), ''],
        ['per-cycle render / gzip (thread pool)', `${ms(scraped.render.renderMs)} / ${ms(scraped.render.gzipMs)}`, ''],
      ],
    );
  }

  printTable(
    '4. Exporter memory (peak RSS over its life: first the cold and warm cycles, then with the scrape measurements too)',
    ['N', 'peak RSS, cycles', 'with scrapes', '<=160 MiB at 10,000', 'heap / external after GC', 'V8 heap limit'],
    result.sizes.map((s) => [
      s.size,
      mib(s.peakRssAfterCycles),
      s.scrapes === undefined ? '' : mib(s.memory.maxRssBytes),
      s.size === 10_000 ? verdict(s.memory.maxRssBytes <= PEAK_RSS_TARGET) : '',
      `${mib(s.heapAfterGc)} / ${mib(s.externalAfterGc)}`,
      `${mib(s.heapSizeLimitBytes)}${s.constrainedMemoryBytes > 0 ? ` (container ${mib(s.constrainedMemoryBytes)}, cgroup charge peak ${mib(s.cgroupPeakBytes)}, ${s.oomKills} OOM kills)` : ''}`,
    ]),
  );
  // Linear in N shows as a steady increment per 1,000 organizations from one N to the next.
  const cpuPerCycle = (s) => median(s.cycles.map((cycle) => cycle.cpuMs));
  const perThousand = (value, s) => (value / s.size) * 1000;
  const increment = (value, s, index) => {
    const previous = result.sizes[index - 1];
    return previous === undefined ? undefined : ((value(s) - value(previous)) / (s.size - previous.size)) * 1000;
  };
  printTable(
    '   Growth per 1,000 organizations (warm cycles; increment = change from the previous N, per 1,000 organizations added)',
    [
      'N',
      'CPU / cycle',
      'per 1,000 orgs',
      'increment',
      'peak RSS, cycles',
      'per 1,000 orgs',
      'increment',
      'heap after GC, increment',
    ],
    result.sizes.map((s, index) => {
      const cpuStep = increment(cpuPerCycle, s, index);
      const rssStep = increment((size) => size.peakRssAfterCycles, s, index);
      const heapStep = increment((size) => size.heapAfterGc, s, index);
      return [
        s.size,
        ms(cpuPerCycle(s)),
        ms(perThousand(cpuPerCycle(s), s)),
        cpuStep === undefined ? '' : ms(cpuStep),
        mib(s.peakRssAfterCycles),
        mib(perThousand(s.peakRssAfterCycles, s)),
        rssStep === undefined ? '' : mib(rssStep),
        heapStep === undefined ? '' : mib(heapStep),
      ];
    }),
  );
  const page = result.statusPage;
  printTable(
    `5. Status page at ${page.organizations} organizations (render in the bench process: median / p95 of 30)`,
    ['case', 'HTML size', '<=300 KB', 'render', '<=100 ms'],
    [
      ['normal day: repositories out for 1 in 12 organizations, 50 failing', page.normalDay, 'normal'],
      ['server down: every organization failing', page.serverDown, 'down'],
    ].map(([label, figures]) => [
      label,
      `${(figures.bytes / 1000).toFixed(0)} KB`,
      verdict(figures.bytes <= 300_000),
      `${ms(figures.medianMs, 1)} / ${ms(figures.p95Ms, 1)}`,
      verdict(figures.medianMs <= 100),
    ]),
  );
  if (result.jobs !== undefined) reportJobs(result.jobs);
  reportTargets(result);
  console.log(
    `\nload average at start ${result.machine.loadAverage.join(' ')}, at end ${result.machine.loadAverageAtEnd.join(' ')} (${result.machine.cpus} CPUs)`,
  );
}

/** What scavenges moved to the old generation per organization poll (older result files lack it). */
function promoted(cycles, size) {
  if (cycles.some((cycle) => cycle.promotedBytes === undefined)) return '-';
  return `${(median(cycles.map((cycle) => cycle.promotedBytes / size)) / 1000).toFixed(2)} KB`;
}

function promotedBare(bare) {
  return bare.promotedBytesPerPoll === undefined ? '-' : `${(bare.promotedBytesPerPoll / 1000).toFixed(2)} KB`;
}

/** Issue 12's table: every figure beside its target, from this run. */
function reportTargets(result) {
  const at = result.sizes.find((s) => s.size === 10_000) ?? result.sizes.at(-1);
  const cpuPerPoll = median(at.cycles.map((cycle) => cycle.cpuMs / at.size));
  const allocated = median(at.cycles.map((cycle) => cycle.allocatedBytes / at.size));
  const cycleMs = median(at.cycles.map((cycle) => cycle.cycleSeconds * 1000));
  const bareMs = median(at.bare.warmMs);
  const rows = [
    [
      'peak RSS (cycles, then with scrapes)',
      `${mib(at.peakRssAfterCycles)}, ${mib(at.memory.maxRssBytes)}`,
      '<= 160 MiB (chart limit 320Mi)',
      verdict(at.memory.maxRssBytes <= PEAK_RSS_TARGET),
    ],
    [
      'heap allocated / org poll (whole cycle / N)',
      `${(allocated / 1000).toFixed(1)} KB (bare undici loop ${(at.bare.allocatedBytesPerPoll / 1000).toFixed(1)} KB)`,
      '<= 10 KB',
      verdict(allocated <= 10_000),
    ],
    [
      'promoted to the old generation / org poll (what fills it between full GCs)',
      `${promoted(at.cycles, at.size)} (bare undici loop ${promotedBare(at.bare)})`,
      '(no target; what the peak is made of)',
      '',
    ],
    [
      'exporter CPU / org poll',
      `${cpuPerPoll.toFixed(3)} ms (bare undici loop ${at.bare.cpuMsPerRequest.toFixed(3)} ms)`,
      '<= 0.12 ms',
      verdict(cpuPerPoll <= 0.12),
    ],
    [
      'warm cycle / bare undici loop',
      `${(cycleMs / bareMs).toFixed(3)} (${ms(cycleMs)} / ${ms(bareMs)})`,
      '<= 1.05',
      verdict(cycleMs / bareMs <= 1.05),
    ],
  ];
  const latencies = at.scrapes?.latencies;
  if (latencies !== undefined) {
    const exporter = latencies.exporter;
    const reference = latencies['static buffer, bare node:http'];
    for (const kind of ['plain', 'gzip']) {
      const ratio = exporter[kind].p50 / reference[kind].p50;
      rows.push([
        `/metrics p50 / static buffer, ${kind}`,
        `${ratio.toFixed(2)} (${ms(exporter[kind].p50, 1)} / ${ms(reference[kind].p50, 1)})`,
        '<= 1.5',
        verdict(ratio <= 1.5),
      ]);
    }
  }
  const big = result.bigAnswers;
  if (big !== undefined && big.failed === undefined) {
    rows.push([
      `peak RSS, 12 MB answers at C = 16 (${big.organizations} orgs)`,
      `${big.big.peakMb.toFixed(0)} MB (normal answers ${big.normal.peakMb.toFixed(0)} MB)`,
      `<= ${big.targetMb} MB`,
      verdict(big.big.peakMb <= big.targetMb),
    ]);
  }
  const perThousand = result.sizes.map((s) => (median(s.cycles.map((cycle) => cycle.cpuMs)) / s.size) * 1000);
  rows.push([
    `growth, N = ${result.sizes.map((s) => s.size).join(', ')}`,
    `CPU ${perThousand.map((value) => value.toFixed(0)).join(', ')} ms per 1,000 orgs; RSS in the table above`,
    'linear in N, printed',
    '',
  ]);
  printTable(
    `Issue 12 targets at N = ${at.size} (node ${result.machine.node}, default flags${result.exporterExecArgv.length > 0 ? ` + ${result.exporterExecArgv.join(' ')}` : ''}${result.exporterMemoryLimitBytes === undefined ? '' : `, in a ${mib(result.exporterMemoryLimitBytes)} memory cgroup`})`,
    ['figure', 'measured', 'target', ''],
    rows,
  );
}

/** The top ten functions of the exporter children's profiles, by self time and by sampled live bytes. */
function reportProfiles(dir) {
  const cpu = cpuHotspots(dir);
  printTable(
    `7. Exporter CPU profile (${dir}): top ten functions by self time, of ${ms(cpu.totalMs)} sampled`,
    ['self time', 'share', 'function'],
    cpu.top.map(([name, selfMs]) => [ms(selfMs, 1), `${((selfMs / cpu.totalMs) * 100).toFixed(1)} %`, name]),
  );
  const heap = allocationHotspots(dir);
  printTable(
    `8. Exporter heap profile (${dir}): top ten functions by sampled bytes still live at exit, of ${mib(heap.totalBytes)}`,
    ['bytes', 'share', 'function'],
    heap.top.map(([name, bytes]) => [mib(bytes), `${((bytes / heap.totalBytes) * 100).toFixed(1)} %`, name]),
  );
}

/** Peak RSS with 12 MB answers, from bench/big-answers.mjs run as it is (the built program in a child). */
function bigAnswers() {
  const file = join(mkdtempSync(join(tmpdir(), 'vb365-bench-')), 'big-answers.json');
  const run = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('./big-answers.mjs', import.meta.url)), '--json', file],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (run.status !== 0) return { failed: `bench/big-answers.mjs exited with ${run.status}` };
  return JSON.parse(readFileSync(file, 'utf8'));
}

function progress(message) {
  process.stderr.write(`   ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}
