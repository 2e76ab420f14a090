/**
 * Peak memory of the built exporter while a server answers every UsedRepositories request with a 12 MB body
 * (valid JSON, under the 16 MiB max_response_bytes) at poll_concurrency 16, beside the same run with normal
 * answers. The simulator runs in this process, the exporter (`node dist/main.js`) in a child whose peak RSS
 * (VmHWM) is read from /proc. Prints both figures and the target; exits 1 only if a run fails.
 *
 *   npm run build && node bench/big-answers.mjs [--organizations 100] [--cycles 2] [--json FILE]
 *
 * (--json also writes the figures to FILE: `npm run bench` runs this script and prints them in its table.)
 */
import { spawn } from 'node:child_process';
import console from 'node:console';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator } from 'vb365-simulator';

const { values } = parseArgs({
  options: {
    organizations: { type: 'string', default: '100' },
    cycles: { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});
const ORGANIZATIONS = Number(values.organizations);
const CYCLES = Number(values.cycles);
const BODY_BYTES = 12 * 1000 * 1000;
const TARGET_MB = 200;
const MAIN = new URL('../dist/main.js', import.meta.url).pathname;

/** Runs the exporter for CYCLES cycles against the simulator; its peak RSS in MB. */
async function peakRss(padded) {
  const simulator = await startSimulator({ organizationCount: ORGANIZATIONS, latencyMs: 20 });
  if (padded) {
    const padding = 'x'.repeat(BODY_BYTES);
    simulator.addFault({
      route: 'used_repositories',
      transformBody: (body) => `${body.slice(0, -1)},"padding":"${padding}"}`,
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'vb365-big-answers-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, simulator.ca ?? '');
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env['PATH'],
      VB365_URL: simulator.url,
      VB365_USERNAME: simulator.username,
      VB365_PASSWORD: simulator.password,
      VB365_CA_FILE: caFile,
      VB365_API_VERSION: 'v8',
      VB365_POLL_CONCURRENCY: '16',
      VB365_POLL_INTERVAL: '10',
      VB365_REQUEST_TIMEOUT: '60',
      VB365_LISTEN_ADDRESS: '127.0.0.1:0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let cycles = 0;
  let failed = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    for (const line of chunk.split('\n')) {
      if (!line.includes('"poll cycle finished"')) continue;
      cycles++;
      failed = JSON.parse(line).failed;
    }
  });
  let peakKb = 0;
  try {
    const deadline = Date.now() + 10 * 60_000;
    while (cycles < CYCLES) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the exporter did not finish its cycles');
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      await sleep(50);
    }
    peakKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? peakKb);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { peakMb: peakKb / 1024, failed };
}

const normal = await peakRss(false);
const big = await peakRss(true);
console.log(`exporter peak RSS, ${ORGANIZATIONS + 5} organizations, poll_concurrency 16, ${CYCLES} cycles:`);
console.log(`  normal answers:           ${normal.peakMb.toFixed(0)} MB (${normal.failed} organizations failed)`);
console.log(
  `  12 MB UsedRepositories:   ${big.peakMb.toFixed(0)} MB (${big.failed} organizations refused as too large); ` +
    `target <= ${TARGET_MB} MB; before the per-answer cap and shared budget: 410-433 MB`,
);
if (values.json !== undefined)
  writeFileSync(values.json, JSON.stringify({ organizations: ORGANIZATIONS + 5, normal, big, targetMb: TARGET_MB }));
if (normal.failed !== 0 || big.failed !== ORGANIZATIONS + 5) process.exitCode = 1;
