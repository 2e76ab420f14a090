/**
 * The exporter in a process of its own (run with --expose-gc), polling the simulator child: its CPU
 * time, peak RSS and heap are the exporter's alone. Commands: poll, usage, requests, heap, render, stop.
 * Options (JSON): the simulator's url, ca, username, password; concurrency, apiVersion, maxResponseBytes,
 * collection and verificationCycles (how used space is read; the defaults unless told).
 */
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import process from 'node:process';
import { setImmediate, setInterval, setTimeout } from 'node:timers';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import { gzip as gzipCallback } from 'node:zlib';
import { systemClock } from '../dist/clock.js';
import { DEFAULTS } from '../dist/config/load.js';
import { startExporter } from '../dist/exporter.js';
import { createLogger } from '../dist/logger.js';
import * as exposition from '../dist/metrics/exposition.js';
import { measureAllocation } from './lib/allocation.mjs';
import { ready, serve } from './lib/ipc.mjs';

const gzip = promisify(gzipCallback);
const options = JSON.parse(process.argv[2] ?? '{}');
const config = {
  servers: [
    {
      name: 'sim',
      url: options.url,
      apiVersion: options.apiVersion ?? 'v8',
      username: options.username,
      password: options.password,
      organizations: [],
      ca: options.ca,
      tlsInsecure: false,
      pollIntervalSeconds: 86_400, // the bench drives cycles with pollNow()
      pollConcurrency: options.concurrency ?? 32,
      requestTimeoutSeconds: 30,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
      collection: options.collection ?? DEFAULTS.collection,
      verificationCycles: options.verificationCycles ?? DEFAULTS.verificationCycles,
    },
  ],
  listen: [{ host: '127.0.0.1', port: 0 }],
  telemetryPath: '/metrics',
  logLevel: options.logLevel ?? 'info',
  logFormat: 'json',
  shard: undefined,
  webConfigFile: undefined,
};

const cpuMs = (usage) => (usage.user + usage.system) / 1000;
const memory = () => ({ ...process.memoryUsage(), maxRssBytes: process.resourceUsage().maxRSS * 1024 });
const server = () => exporter.store.servers()[0];

/** Highest memory figures seen since the last peaks() call, sampled every 50 ms (process.memoryUsage() is not free). */
let peak = {};
const samplePeak = () => {
  const now = process.memoryUsage();
  for (const key of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'])
    peak[key] = Math.max(peak[key] ?? 0, now[key]);
};
setInterval(samplePeak, 50).unref();
const peaks = () => {
  samplePeak();
  const result = peak;
  peak = {};
  return result;
};

// The first cycle starts with the exporter: it is the cold one (TLS handshakes, login).
const coldStart = performance.now();
const coldCpu = process.cpuUsage();
const exporter = await startExporter(config, {
  logger: createLogger(config.logLevel),
  clock: systemClock,
  random: Math.random,
  version: 'bench',
});
while (!exporter.store.ready()) await new Promise((resolve) => setTimeout(resolve, 2));
const cold = {
  wallMs: performance.now() - coldStart,
  cpuMs: cpuMs(process.cpuUsage(coldCpu)),
  cycleSeconds: server().lastCycleDurationSeconds,
};

serve({
  /** One cycle now: wall time includes applying the result and rendering /metrics; cycleSeconds is the cycle alone. */
  poll: async () => {
    peaks();
    const cpu = process.cpuUsage();
    const start = performance.now();
    const allocation = await measureAllocation(() => exporter.pollNow());
    const wallMs = performance.now() - start;
    const state = server();
    return {
      wallMs,
      allocatedBytes: allocation.allocatedBytes,
      promotedBytes: allocation.promotedBytes,
      collections: allocation.collections,
      gcPauseMs: allocation.gcPauseMs,
      cycleSeconds: state.lastCycleDurationSeconds,
      cpuMs: cpuMs(process.cpuUsage(cpu)),
      organizations: state.organizations.length,
      jobs: state.jobs.length,
      proxies: state.proxies.length,
      failed: state.organizations.filter((organization) => !organization.pollSuccess).length,
      up: state.up,
      // How used space was read (per_repository: mismatches found, whether it fell back, unmapped items).
      collection: state.collection,
      memory: memory(),
      peak: peaks(),
    };
  },
  usage: () => ({
    memory: memory(),
    peak: peaks(),
    cpuMs: cpuMs(process.cpuUsage()),
    eventLoop: performance.eventLoopUtilization(),
  }),
  /** The exporter's own request and refused-answer counters, by endpoint: what a listing's read ended with. */
  requests: async () => {
    const byEndpoint = {};
    for (const { labels, value } of (await exporter.metrics.apiRequests.get()).values) {
      byEndpoint[labels.endpoint] ??= {};
      byEndpoint[labels.endpoint][labels.code] = value;
    }
    const invalidAnswers = {};
    for (const { labels, value } of (await exporter.metrics.invalidAnswers.get()).values)
      invalidAnswers[labels.endpoint] = value;
    return { byEndpoint, invalidAnswers, maxResponseBytes: config.servers[0].maxResponseBytes };
  },
  /** Heap after full garbage collections. */
  heap: () => {
    globalThis.gc();
    globalThis.gc();
    return process.memoryUsage();
  },
  /** Times the per-cycle work on the current state, for the analysis: render, Buffer.from, gzip. */
  render: async () => {
    const servers = exporter.store.servers();
    let start = performance.now();
    // The production renderer's pieces (builds before the fact modules also had whole-text renderers).
    const rendered = exposition.renderExpositionInPieces
      ? [...exposition.renderExpositionInPieces(servers, config.servers)].flat()
      : [(exposition.renderExpositionBuffer ?? exposition.renderExposition)(servers, config.servers)];
    const renderMs = performance.now() - start;
    start = performance.now();
    const buffer = Buffer.concat(rendered.map((part) => (Buffer.isBuffer(part) ? part : Buffer.from(part))));
    const bufferMs = performance.now() - start;
    start = performance.now();
    const compressed = await gzip(buffer, { level: 1 });
    const gzipMs = performance.now() - start;
    return {
      renderMs,
      bufferMs,
      gzipMs,
      bytes: buffer.length,
      gzipBytes: compressed.length,
      samples: countSamples(buffer.toString('latin1')),
    };
  },
  stop: async () => {
    await exporter.stop();
    setImmediate(() => process.exit(0));
  },
});
process.once('SIGTERM', () => void exporter.stop().then(() => process.exit(0)));
ready({
  url: exporter.url,
  cold,
  memory: memory(),
  // What V8 sized its heap from: the container's memory limit where there is one (lib/memory-limit.mjs).
  // (Without a limit Node reports a huge number, or 0: counted as none.)
  constrainedMemoryBytes:
    (process.constrainedMemory?.() ?? 0) < os.totalmem() ? (process.constrainedMemory?.() ?? 0) : 0,
  heapSizeLimitBytes: v8.getHeapStatistics().heap_size_limit,
});

function countSamples(text) {
  let count = 0;
  for (let at = text.indexOf('\n'), from = 0; at !== -1; from = at + 1, at = text.indexOf('\n', from)) {
    if (text.charCodeAt(from) !== 35 /* # */ && at > from) count++;
  }
  return count;
}
