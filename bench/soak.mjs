/**
 * npm run soak [-- --short] [-- --scrapers 50 --load-seconds 30 --stress-seconds 15 --organizations 5000
 *                            --scrape-interval-ms 1000 --cycles 500 --skip-load --skip-soak --out FILE]
 *
 * Load: scrapers (each its own kept-alive connection, like separate Prometheus servers) scrape
 * /metrics in bursts, all at once every --scrape-interval-ms, while the exporter polls a simulator of
 * many organizations, cycles back to back; the same run times cycles without scrapers, before and
 * after, and compares. Then a stress phase: the same scrapers back to back, as fast as the exporter
 * answers (reported, no target: closed-loop scrapers saturate any single event loop). Every scrape is
 * checked (status, length, encoding, first bytes); any failure fails the run.
 *
 * Soak: many fast cycles against a small simulator whose organizations and repositories appear and
 * disappear between cycles. After every cycle the series in /metrics must be exactly the simulator's
 * truth, and the exporter's heap (after a full GC) after the last cycle must be within 10 % of the
 * heap after the 50th.
 *
 * Simulator and exporter each run in a child process. Exit code 1 when a check fails.
 */
import console from 'node:console';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseExposition } from '../test/support/exposition-parser.js';
import { startExporterChild, startSimulatorChild } from './lib/children.mjs';
import { scrapeClient, scrapeUntil } from './lib/http.mjs';
import { machine, mib, ms, printTable, verdict } from './lib/report.mjs';
import { median, spread, summarize } from './lib/stats.mjs';

const { values: flags } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    scrapers: { type: 'string' },
    'load-seconds': { type: 'string' },
    'stress-seconds': { type: 'string' },
    organizations: { type: 'string' },
    'scrape-interval-ms': { type: 'string' },
    cycles: { type: 'string' },
    'skip-load': { type: 'boolean', default: false },
    'skip-soak': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const number = (text, fallback) => (text === undefined ? fallback : Number(text));
const plan = {
  load: {
    scrapers: number(flags.scrapers, flags.short ? 20 : 50),
    seconds: number(flags['load-seconds'], flags.short ? 5 : 30),
    organizations: number(flags.organizations, flags.short ? 1_000 : 5_000),
    scrapeIntervalMs: number(flags['scrape-interval-ms'], 1000),
    stressSeconds: number(flags['stress-seconds'], flags.short ? 0 : 15),
    /** Cycles without scrapers before and after the loaded ones. */
    quietCycles: flags.short ? 2 : 3,
    latencyMs: 20,
    concurrency: 32,
    /** One scraper in this many asks for plain text; the rest ask for gzip, as Prometheus does. */
    plainEvery: 10,
  },
  soak: { cycles: number(flags.cycles, flags.short ? 100 : 500), organizations: 50, heapAt: 50, concurrency: 8 },
};
const out =
  flags.out ?? fileURLToPath(new URL(`./results/soak-latest${flags.short ? '-short' : ''}.json`, import.meta.url));
const result = { startedAt: new Date().toISOString(), machine: machine(), plan };
console.log(
  `vb365-exporter load and soak${flags.short ? ' (short)' : ''}: node ${result.machine.node}, ${result.machine.cpus} x ${result.machine.cpuModel}, load ${result.machine.loadAverage.join(' ')}`,
);

const failures = [];
if (!flags['skip-load']) {
  result.load = await load(plan.load, {
    seconds: plan.load.seconds,
    intervalMs: plan.load.scrapeIntervalMs,
    aligned: true,
    target: true,
  });
  if (plan.load.stressSeconds > 0)
    result.stress = await load(plan.load, {
      seconds: plan.load.stressSeconds,
      intervalMs: 0,
      aligned: false,
      target: false,
    });
}
if (!flags['skip-soak']) result.soak = await soak(plan.soak);
result.finishedAt = new Date().toISOString();
result.machine.loadAverageAtEnd = machine().loadAverage;
result.failures = failures;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `\nload average at start ${result.machine.loadAverage.join(' ')}, at end ${result.machine.loadAverageAtEnd.join(' ')} (${result.machine.cpus} CPUs)`,
);
console.log(`wrote ${out}`);
if (failures.length > 0) {
  console.log(`\nFAILED:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exitCode = 1;
}

async function load(options, phase) {
  const how = phase.intervalMs > 0 ? `all at once every ${phase.intervalMs} ms` : 'back to back';
  console.log(
    `\n-- ${phase.target ? 'load' : 'stress'}: ${options.scrapers} scrapers (${how}) for ${phase.seconds} s on /metrics while ${options.organizations} organizations are polled back to back`,
  );
  const simulator = await startSimulatorChild({
    organizationCount: options.organizations,
    repositoriesPerOrganization: 2,
    latencyMs: options.latencyMs,
  });
  const exporter = await startExporterChild(simulator, { concurrency: options.concurrency });
  const cpuOf = async () => {
    const usage = await exporter.call('usage');
    return {
      simulator: cpuMs((await simulator.stats()).cpu),
      exporter: usage.cpuMs,
      bench: cpuMs(process.cpuUsage()),
      eventLoop: usage.eventLoop,
    };
  };
  try {
    const quietCycle = async () => {
      const poll = await exporter.poll();
      checkPoll(poll, options.organizations, 'load');
      return poll.cycleSeconds * 1000;
    };
    progress(`${options.quietCycles} cycles without scrapers`);
    const quietBefore = [];
    for (let i = 0; i < options.quietCycles; i++) quietBefore.push(await quietCycle());

    progress(`${options.scrapers} scrapers for ${phase.seconds} s, cycles back to back`);
    const cpuBefore = await cpuOf();
    const loadStart = performance.now();
    const stop = new globalThis.AbortController();
    const scraping = scrapeUntil(`${exporter.url}/metrics`, {
      scrapers: options.scrapers,
      gzip: (index) => index % options.plainEvery !== options.plainEvery - 1,
      signal: stop.signal,
      intervalMs: phase.intervalMs,
      aligned: phase.aligned,
    });
    // Every loaded cycle runs under load from its start to its end: the scrapers stop after the last one.
    const loaded = [];
    while (performance.now() - loadStart < phase.seconds * 1000) loaded.push(await quietCycle());
    stop.abort();
    const scrapes = await scraping;
    const loadMs = performance.now() - loadStart;
    const cpuAfter = await cpuOf();
    const eventLoop = performance.eventLoopUtilization(cpuAfter.eventLoop, cpuBefore.eventLoop);

    progress(`${options.quietCycles} cycles without scrapers`);
    const quietAfter = [];
    for (let i = 0; i < options.quietCycles; i++) quietAfter.push(await quietCycle());
    const usage = await exporter.call('usage');

    const quiet = [...quietBefore, ...quietAfter];
    const slower = median(loaded) / median(quiet) - 1;
    const latency = summarize(scrapes.latencies);
    const cpuShare = Object.fromEntries(
      ['simulator', 'exporter', 'bench'].map((name) => [name, (cpuAfter[name] - cpuBefore[name]) / loadMs]),
    );
    const figures = {
      quietBeforeMs: quietBefore,
      quietAfterMs: quietAfter,
      loadedMs: loaded,
      slower,
      scrapes: scrapes.latencies.length,
      scrapesPerSecond: scrapes.latencies.length / (loadMs / 1000),
      failedScrapes: scrapes.failures.length,
      failureSamples: [...new Set(scrapes.failures)].slice(0, 5),
      latency,
      latencyGzip: summarize(scrapes.byEncoding.gzip),
      latencyPlain: summarize(scrapes.byEncoding.plain),
      mibPerSecond: scrapes.bytes / 2 ** 20 / (loadMs / 1000),
      loadSeconds: loadMs / 1000,
      cpuShareOfOneCore: cpuShare,
      eventLoopUtilization: eventLoop.utilization,
      exporterPeakRss: usage.memory.maxRssBytes,
    };
    const name = phase.target ? 'load' : 'stress';
    if (figures.failedScrapes > 0)
      failures.push(`${name}: ${figures.failedScrapes} failed scrapes (${figures.failureSamples.join('; ')})`);
    if (loaded.length === 0) failures.push(`${name}: no cycle ran under load`);
    printTable(
      `${phase.target ? 'Load' : 'Stress (no target)'}: ${options.scrapers} scrapers (${how}; 1 in ${options.plainEvery} plain, the rest gzip) for ${figures.loadSeconds.toFixed(0)} s, ${options.organizations} organizations, latency ${options.latencyMs} ms, concurrency ${options.concurrency}`,
      ['figure', 'value', 'target'],
      [
        [
          'scrapes',
          `${figures.scrapes} (${figures.scrapesPerSecond.toFixed(0)}/s, ${figures.mibPerSecond.toFixed(0)} MiB/s)`,
          '',
        ],
        ['failed scrapes', figures.failedScrapes, `0 ${verdict(figures.failedScrapes === 0)}`],
        ['scrape latency p50 / p99 / max', `${ms(latency.p50, 1)} / ${ms(latency.p99, 1)} / ${ms(latency.max, 1)}`, ''],
        ['   gzip / plain p50', `${ms(figures.latencyGzip.p50, 1)} / ${ms(figures.latencyPlain.p50, 1)}`, ''],
        ['   gzip / plain p99', `${ms(figures.latencyGzip.p99, 1)} / ${ms(figures.latencyPlain.p99, 1)}`, ''],
        [
          'cycle without scrapers (before, after)',
          `${spread(quiet)} (${quietBefore.map((value) => value.toFixed(0)).join(', ')} | ${quietAfter.map((value) => value.toFixed(0)).join(', ')})`,
          '',
        ],
        ['cycle with scrapers', `${spread(loaded)} (${loaded.length} cycles)`, ''],
        [
          'slower by (median vs median)',
          `${(slower * 100).toFixed(1)} %`,
          phase.target ? `<= 10 % ${verdict(slower <= 0.1)}` : '(no target)',
        ],
        [
          'CPU during the load, share of one core',
          `exporter ${pct(cpuShare.exporter)}, simulator ${pct(cpuShare.simulator)}, scrapers (bench) ${pct(cpuShare.bench)}`,
          `${result.machine.cpus} cores`,
        ],
        ["exporter's event loop busy", pct(figures.eventLoopUtilization), ''],
        ['exporter peak RSS', mib(figures.exporterPeakRss), ''],
      ],
    );
    return figures;
  } finally {
    await exporter.close();
    await simulator.close();
  }
}

async function soak(options) {
  console.log(
    `\n-- soak: ${options.cycles} cycles, about ${options.organizations} organizations appearing and disappearing, latency 0`,
  );
  const simulator = await startSimulatorChild({
    organizationCount: options.organizations,
    repositoriesPerOrganization: 2,
    latencyMs: 0,
  });
  const exporter = await startExporterChild(simulator, { concurrency: options.concurrency, logLevel: 'warn' });
  const client = scrapeClient(exporter.url);
  const heaps = [];
  const mismatches = [];
  const sizes = [];
  const started = performance.now();
  try {
    await simulator.call('mutate', { target: options.organizations, seed: 0x50a4 });
    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      const truth = await simulator.call('mutate', { target: options.organizations });
      const poll = await exporter.poll();
      checkPoll(poll, truth.length, `soak cycle ${cycle}`);
      const text = await metricsText(client);
      const mismatch = compare(truth, text);
      if (mismatch !== undefined) mismatches.push(`cycle ${cycle}: ${mismatch}`);
      sizes.push({
        organizations: truth.length,
        repositories: truth.reduce((sum, organization) => sum + organization.repositories.length, 0),
      });
      if (cycle % options.heapAt === 0 || cycle === options.cycles) {
        const heap = await exporter.call('heap');
        heaps.push({ cycle, heapUsed: heap.heapUsed, rss: heap.rss, external: heap.external });
      }
      if (cycle % 100 === 0) progress(`cycle ${cycle}/${options.cycles}`);
    }
  } finally {
    await client.close();
    await exporter.close();
    await simulator.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const atReference = heaps.find((heap) => heap.cycle === options.heapAt);
  const last = heaps.at(-1);
  const growth = last.heapUsed / atReference.heapUsed - 1;
  // Least-squares slope of the heap from cycle 100 on (after warm-up): a leak of a few bytes per request shows here first.
  const trend = slope(heaps.filter((heap) => heap.cycle >= 100).map((heap) => [heap.cycle, heap.heapUsed]));
  const organizationCounts = sizes.map((size) => size.organizations);
  const repositoryCounts = sizes.map((size) => size.repositories);
  if (mismatches.length > 0)
    failures.push(
      `soak: /metrics differed from the simulator after ${mismatches.length} cycles (${mismatches.slice(0, 3).join('; ')})`,
    );
  if (growth > 0.1)
    failures.push(`soak: heap grew ${(growth * 100).toFixed(1)} % from cycle ${options.heapAt} to cycle ${last.cycle}`);
  printTable(
    `Soak: ${options.cycles} cycles in ${seconds.toFixed(0)} s (${((seconds / options.cycles) * 1000).toFixed(0)} ms each, with the /metrics check)`,
    ['figure', 'value', 'target'],
    [
      [
        'organizations / repositories per cycle',
        `${Math.min(...organizationCounts)}-${Math.max(...organizationCounts)} / ${Math.min(...repositoryCounts)}-${Math.max(...repositoryCounts)}`,
        'changing',
      ],
      ['cycles where /metrics differed from the simulator', mismatches.length, `0 ${verdict(mismatches.length === 0)}`],
      [
        'heap after GC by cycle (MiB)',
        everyNth(heaps, 10)
          .map((heap) => `${heap.cycle}: ${(heap.heapUsed / 2 ** 20).toFixed(1)}`)
          .join(', '),
        '',
      ],
      [
        `heap growth, cycle ${options.heapAt} -> ${last.cycle}`,
        `${(growth * 100).toFixed(1)} %`,
        `<= 10 % ${verdict(growth <= 0.1)}`,
      ],
      [
        'heap trend from cycle 100 (least squares)',
        Number.isNaN(trend) ? 'too few cycles' : `${trend >= 0 ? '+' : ''}${trend.toFixed(0)} bytes per cycle`,
        '',
      ],
      ['RSS after the last cycle', mib(last.rss), ''],
    ],
  );
  return {
    seconds,
    mismatches,
    heaps,
    growth,
    heapTrendBytesPerCycle: trend,
    organizationCounts: [Math.min(...organizationCounts), Math.max(...organizationCounts)],
    repositoryCounts: [Math.min(...repositoryCounts), Math.max(...repositoryCounts)],
  };
}

/** The series the simulator's data must produce, against those in /metrics; a description of the first difference. */
function compare(truth, text) {
  const expectedOrganizations = new Set(truth.map((organization) => organization.id));
  const expectedRepositories = new Set(
    truth.flatMap((organization) => organization.repositories.map((repository) => `${organization.id}/${repository}`)),
  );
  let families;
  try {
    families = parseExposition(text);
  } catch (error) {
    return `/metrics is not valid exposition text: ${error.message}`;
  }
  /** Label sets of one family's samples. */
  const seriesOf = (name) =>
    families.find((family) => family.name === name)?.samples.map((sample) => sample.labels) ?? [];
  const success = seriesOf('veeam_vb365_organization_poll_success');
  const available = seriesOf('veeam_vb365_repository_available');
  const organizations = new Set(success.map((labels) => labels.organization_id));
  const repositories = new Set(available.map((labels) => `${labels.organization_id}/${labels.repository_id}`));
  if (success.length !== organizations.size || available.length !== repositories.size) return 'a series appears twice';
  const differs = (name, expected, actual) => {
    const missing = [...expected].filter((key) => !actual.has(key));
    const extra = [...actual].filter((key) => !expected.has(key));
    return missing.length + extra.length === 0
      ? undefined
      : `${name}: ${actual.size} series, expected ${expected.size} (${missing.length} missing, ${extra.length} extra)`;
  };
  return (
    differs('organization_poll_success', expectedOrganizations, organizations) ??
    differs('repository_available', expectedRepositories, repositories)
  );
}

async function metricsText(client) {
  const { statusCode, body } = await client.request({ path: '/metrics', method: 'GET' });
  const text = await body.text();
  if (statusCode !== 200) throw new Error(`/metrics answered ${statusCode}`);
  return text;
}

function checkPoll(poll, organizations, where) {
  if (!poll.up || poll.failed > 0 || poll.organizations !== organizations) {
    failures.push(
      `${where}: up ${poll.up}, ${poll.organizations} organizations (expected ${organizations}), ${poll.failed} failed`,
    );
  }
}

/** About `count` items spread evenly over the list, its last one included. */
function everyNth(list, count) {
  const step = Math.max(1, Math.ceil(list.length / count));
  return list.filter((_, index) => index % step === 0 || index === list.length - 1);
}

/** Slope of y over x by least squares; NaN for fewer than three points. */
function slope(points) {
  if (points.length < 3) return NaN;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return covariance / variance;
}

function cpuMs(usage) {
  return (usage.user + usage.system) / 1000;
}

function pct(share) {
  return `${(share * 100).toFixed(0)} %`;
}

function progress(message) {
  process.stderr.write(`   ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}
