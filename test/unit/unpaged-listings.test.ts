/**
 * The listings v6/v7 answer as one plain array the exporter cannot ask in pages (Jobs, CopyJobs, Proxies):
 * an array above max_response_bytes is read whole, up to the answer budget (4 x max_response_bytes), while
 * a v8 Jobs page and the Organizations listing above the same max_response_bytes are still refused. Over
 * real sockets, against the simulator, with max_response_bytes 64 KiB so a hundred jobs pass it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from 'vb365-simulator';
import { requests } from '../support/fault-checks.js';
import { samples, startHarness, type Harness } from '../support/harness.js';

const MAX_RESPONSE_BYTES = 64 * 1024;
const ANSWER_BUDGET_BYTES = 4 * MAX_RESPONSE_BYTES;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The simulator's seed, two organizations with 50 backup jobs each, and 250 proxies. */
const MANY_JOBS = { organizationCount: 2, jobsPerOrganization: 50, proxyCount: 250 };

/** The IDs of the jobs of `type` (backup, copy) the metrics hold, sorted. */
function exportedJobs(text: string, type: 'backup' | 'copy'): string[] {
  return samples(text, 'veeam_vb365_job_info')
    .filter((sample) => sample.labels['job_type'] === type)
    .map((sample) => sample.labels['job_id'] ?? '')
    .sort();
}

function exportedProxies(text: string): string[] {
  return samples(text, 'veeam_vb365_proxy_info')
    .map((sample) => sample.labels['proxy_id'] ?? '')
    .sort();
}

/** Records the size of every answer the simulator sends at `route`, as it sends it. */
function answerSizes(simulator: Simulator, route: 'jobs' | 'proxies' | 'organizations'): number[] {
  const sizes: number[] = [];
  simulator.addFault({
    route,
    transformBody: (body) => {
      sizes.push(Buffer.byteLength(body));
      return body;
    },
  });
  return sizes;
}

/** The reasons of the warnings that a read of `what` failed. */
function readFailures(harness: Harness, what: string): string[] {
  return harness.logs.lines
    .filter((line) => line['msg'] === `could not read the ${what}; keeping the last known values`)
    .map((line) => String(line['reason']));
}

describe('a v7 listing the server cannot send in pages', () => {
  it('is read whole above max_response_bytes, and refused above the answer budget', async () => {
    harness = await startHarness({
      simulator: MANY_JOBS,
      server: { apiVersion: 'v7', maxResponseBytes: MAX_RESPONSE_BYTES },
    });
    const { simulator } = harness;
    const jobSizes = answerSizes(simulator, 'jobs');
    const proxySizes = answerSizes(simulator, 'proxies');
    await harness.exporter.pollNow();
    let text = await harness.metricsText();
    // The answers were above max_response_bytes, and under the budget: what the test is about.
    expect(jobSizes).toHaveLength(1);
    expect(jobSizes[0]).toBeGreaterThan(MAX_RESPONSE_BYTES);
    expect(proxySizes[0]).toBeGreaterThan(MAX_RESPONSE_BYTES);
    const jobsRead = [...simulator.data.jobs.keys()].sort(); // the seed's and the 100 generated
    expect(jobsRead.length).toBeGreaterThan(100);
    expect(exportedJobs(text, 'backup')).toEqual(jobsRead);
    expect(exportedProxies(text)).toEqual([...simulator.data.proxies.keys()].sort());
    expect(requests(text, 'jobs', '200')).toBe(2); // both cycles, one request each
    expect(requests(text, 'jobs', 'too_large')).toBe(0);
    expect(requests(text, 'proxies', 'too_large')).toBe(0);
    expect(readFailures(harness, 'backup jobs')).toEqual([]);

    // 200 more jobs: the array passes the answer budget too, and is refused whole (the last jobs kept).
    simulator.data.generateOrganizations(2, 2, { jobsEach: 100 });
    await harness.exporter.pollNow();
    text = await harness.metricsText();
    expect(jobSizes.at(-1)).toBeGreaterThan(ANSWER_BUDGET_BYTES);
    expect(requests(text, 'jobs', 'too_large')).toBe(1); // refused at once, not retried
    expect(readFailures(harness, 'backup jobs')).toEqual([
      `the answer is larger than the answer budget (${ANSWER_BUDGET_BYTES} bytes: 4 x the largest max_response_bytes), which caps the listings the server cannot send in pages (v6/v7 Jobs, CopyJobs, Proxies)`,
    ]);
    expect(exportedJobs(text, 'backup')).toEqual(jobsRead);
  });

  it('does not lift max_response_bytes from the Organizations listing', async () => {
    harness = await startHarness({
      simulator: { organizationCount: 150 },
      server: { apiVersion: 'v7', maxResponseBytes: MAX_RESPONSE_BYTES },
    });
    const sizes = answerSizes(harness.simulator, 'organizations');
    await harness.exporter.pollNow();
    const text = await harness.metricsText();
    expect(sizes[0]).toBeGreaterThan(MAX_RESPONSE_BYTES);
    expect(sizes[0]).toBeLessThan(ANSWER_BUDGET_BYTES);
    expect(requests(text, 'organizations', 'too_large')).toBeGreaterThanOrEqual(1);
    expect(requests(text, 'organizations', '200')).toBe(0);
  });
});

describe('a v8 Jobs page', () => {
  it('stays capped by max_response_bytes', async () => {
    harness = await startHarness({
      simulator: MANY_JOBS,
      server: { apiVersion: 'v8', maxResponseBytes: MAX_RESPONSE_BYTES },
    });
    const sizes = answerSizes(harness.simulator, 'jobs');
    await harness.exporter.pollNow();
    const text = await harness.metricsText();
    expect(sizes[0]).toBeGreaterThan(MAX_RESPONSE_BYTES);
    expect(sizes[0]).toBeLessThan(ANSWER_BUDGET_BYTES);
    expect(requests(text, 'jobs', 'too_large')).toBe(2); // both cycles
    expect(requests(text, 'jobs', '200')).toBe(0);
    expect(readFailures(harness, 'backup jobs')).toEqual([
      `the answer is larger than max_response_bytes (${MAX_RESPONSE_BYTES} bytes)`,
      `the answer is larger than max_response_bytes (${MAX_RESPONSE_BYTES} bytes)`,
    ]);
    expect(exportedJobs(text, 'backup')).toEqual([]);
    expect(exportedJobs(text, 'copy')).not.toEqual([]); // the small CopyJobs page is read
  });
});
