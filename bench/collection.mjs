/**
 * npm run bench:collection [-- --smoke] [-- --organizations 10000 --shared-repositories 20
 *   --verification-cycles 10,100 --per-repository-cycles 20 --sweep-organizations 2000 --sweep 1,2,3,4,5,10,50,500 --skip-sweep
 *   --exporter-memory-limit 320Mi --out FILE]
 *
 * Issue 20: used space read per organization against per repository (verified with N = 10, the default,
 * and N = 100, the 1 % the issue's request target assumes), organizations sharing a few large repositories;
 * then a sweep of how many organizations share a repository, to find where per_repository pays
 * (bench/lib/collection-scale.mjs says what and how). Prints the tables and writes the result to
 * bench/results/collection-latest.json; exits 1 when something is functionally wrong (a failed poll, a
 * mismatch or a fall-back, /metrics differing from per_organization's), never for a missed timing target.
 * --per-repository-cycles measures that many per_repository cycles instead of N (one full rotation).
 * --exporter-memory-limit runs each exporter child in a memory cgroup of that limit, as the chart's pod runs.
 */
import console from 'node:console';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  COLLECTION_PLAN,
  COLLECTION_SMOKE_PLAN,
  benchCollection,
  collectionFailures,
  reportCollection,
  sweepCrossovers,
} from './lib/collection-scale.mjs';
import { parseBytes } from './lib/memory-limit.mjs';
import { machine } from './lib/report.mjs';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    organizations: { type: 'string' },
    'shared-repositories': { type: 'string' },
    'verification-cycles': { type: 'string' },
    'per-repository-cycles': { type: 'string' },
    'sweep-organizations': { type: 'string' },
    sweep: { type: 'string' },
    'skip-sweep': { type: 'boolean', default: false },
    'exporter-memory-limit': { type: 'string' },
    out: { type: 'string' },
  },
});
const numbers = (text) =>
  text
    .split(',')
    .filter((part) => part !== '')
    .map(Number);
const plan = { ...(flags.smoke ? COLLECTION_SMOKE_PLAN : COLLECTION_PLAN) };
if (flags.organizations !== undefined) plan.organizations = Number(flags.organizations);
if (flags['shared-repositories'] !== undefined) plan.sharedRepositories = Number(flags['shared-repositories']);
if (flags['verification-cycles'] !== undefined) plan.verificationCycles = numbers(flags['verification-cycles']);
if (flags['per-repository-cycles'] !== undefined) plan.perRepositoryCycles = Number(flags['per-repository-cycles']);
if (plan.sweep !== undefined) {
  plan.sweep = { ...plan.sweep };
  if (flags['sweep-organizations'] !== undefined) plan.sweep.organizations = Number(flags['sweep-organizations']);
  if (flags.sweep !== undefined) plan.sweep.organizationsPerRepository = numbers(flags.sweep);
}
if (flags['skip-sweep']) plan.sweep = undefined;
// Each exporter child in a memory cgroup of this limit (e.g. the chart's 320Mi): V8 sizes its heap from it.
if (flags['exporter-memory-limit'] !== undefined)
  plan.exporterMemoryLimitBytes = parseBytes(flags['exporter-memory-limit']);
const out = flags.out ?? fileURLToPath(new URL('./results/collection-latest.json', import.meta.url));

const result = { startedAt: new Date().toISOString(), machine: machine() };
console.log(
  `vb365-exporter bench, collection${flags.smoke ? ' (smoke)' : ''}: node ${result.machine.node}, ${result.machine.cpus} x ${result.machine.cpuModel}, load ${result.machine.loadAverage.join(' ')}`,
);
Object.assign(
  result,
  await benchCollection(plan, {
    progress: (message) => process.stderr.write(`   ${new Date().toISOString().slice(11, 19)} ${message}\n`),
  }),
);
result.finishedAt = new Date().toISOString();
result.machine.loadAverageAtEnd = machine().loadAverage;
result.crossovers = sweepCrossovers(result);
result.failures = collectionFailures(result);
reportCollection(result, { smoke: flags.smoke });
console.log(
  `\nload average at start ${result.machine.loadAverage.join(' ')}, at end ${result.machine.loadAverageAtEnd.join(' ')} (${result.machine.cpus} CPUs)`,
);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwrote ${out}`);
if (result.failures.length > 0) {
  console.log(`\nFAILED:\n${result.failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exitCode = 1;
}
