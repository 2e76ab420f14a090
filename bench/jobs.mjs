/**
 * npm run bench:jobs [-- --smoke] [-- --organizations 10000 --jobs-per-organization 2 --proxies 50
 *   --repeats 3 --rounds 2 --versions v6,v7 --simulator-page-size 1000 --exporter-node-options '...'
 *   --exporter-memory-limit 320Mi --out FILE]
 *
 * Issue 19 at scale, alone (`npm run bench` runs it too, after the sizes): N organizations without jobs
 * beside the same N with jobs and proxies, then the v6/v7 /Jobs answer of all the jobs read with the default
 * max_response_bytes (bench/lib/jobs-scale.mjs says what and how). Prints the tables and writes the result
 * to bench/results/jobs-latest.json; exits 1 when something is functionally wrong. --simulator-page-size caps
 * every v8 page the simulator sends (a diagnosis: what smaller Jobs pages would change; the organization
 * listing gets smaller pages too, in both runs alike). --versions '' leaves the v6/v7 answers out.
 */
import console from 'node:console';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { JOBS_PLAN, JOBS_SMOKE_PLAN, benchJobs, jobsFailures, reportJobs } from './lib/jobs-scale.mjs';
import { parseBytes } from './lib/memory-limit.mjs';
import { machine } from './lib/report.mjs';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    organizations: { type: 'string' },
    'jobs-per-organization': { type: 'string' },
    proxies: { type: 'string' },
    repeats: { type: 'string' },
    rounds: { type: 'string' },
    versions: { type: 'string' },
    'simulator-page-size': { type: 'string' },
    'exporter-node-options': { type: 'string' },
    'exporter-memory-limit': { type: 'string' },
    out: { type: 'string' },
  },
});
const plan = { ...(flags.smoke ? JOBS_SMOKE_PLAN : JOBS_PLAN) };
for (const [flag, key] of [
  ['organizations', 'organizations'],
  ['jobs-per-organization', 'jobsPerOrganization'],
  ['proxies', 'proxies'],
  ['repeats', 'repeats'],
  ['rounds', 'rounds'],
  ['simulator-page-size', 'simulatorPageSize'],
]) {
  if (flags[flag] !== undefined) plan[key] = Number(flags[flag]);
}
if (flags.versions !== undefined) plan.versions = flags.versions.split(',').filter((version) => version !== '');
const out = flags.out ?? fileURLToPath(new URL('./results/jobs-latest.json', import.meta.url));

const result = { startedAt: new Date().toISOString(), machine: machine() };
console.log(
  `vb365-exporter bench, jobs${flags.smoke ? ' (smoke)' : ''}: node ${result.machine.node}, ${result.machine.cpus} x ${result.machine.cpuModel}, load ${result.machine.loadAverage.join(' ')}`,
);
result.jobs = await benchJobs(plan, {
  latencyMs: 20,
  concurrency: 32,
  repositoriesPerOrganization: 2,
  // A diagnosis: V8 or Node flags for the exporter children only (both runs alike), e.g. '--max-semi-space-size=32'.
  exporterExecArgv: (flags['exporter-node-options'] ?? '').split(' ').filter((flag) => flag !== ''),
  // Each exporter child in a memory cgroup of this limit (e.g. the chart's 320Mi): V8 sizes its heap from it.
  exporterMemoryLimitBytes:
    flags['exporter-memory-limit'] === undefined ? undefined : parseBytes(flags['exporter-memory-limit']),
  progress: (message) => process.stderr.write(`   ${new Date().toISOString().slice(11, 19)} ${message}\n`),
});
result.finishedAt = new Date().toISOString();
result.machine.loadAverageAtEnd = machine().loadAverage;
result.failures = jobsFailures(result.jobs);
reportJobs(result.jobs);
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
