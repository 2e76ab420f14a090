/** Starts the bundled simulator and the exporter in-process, over real sockets and real TLS. */
import { Writable } from 'node:stream';
import { systemClock, type Clock } from '../../src/clock.js';
import { DEFAULTS } from '../../src/config/load.js';
import type { ExporterConfig, ServerConfig } from '../../src/config/types.js';
import { loadWebConfig } from '../../src/config/web-config.js';
import { startExporter, type RunningExporter } from '../../src/exporter.js';
import { createLogger } from '../../src/logger.js';
import {
  createSelfSignedCertificate,
  startSimulator,
  type ServerCertificate,
  type Simulator,
  type SimulatorOptions,
} from 'vb365-simulator';
import { REQUEST_RETRY } from '../../src/vb365/retry.js';
import { fakeClock, type FakeClock } from './fake-clock.js';
import { parseExposition, type Sample } from './exposition-parser.js';

/** Collects every log line so tests can assert on them (and on what must never be in them). */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }
  messages(): string[] {
    return this.lines.map((line) => String(line['msg']));
  }
}

/** A server configuration for tests: the documented defaults, except cycles driven by pollNow(). */
export function testServerConfig(overrides: Partial<ServerConfig> & Pick<ServerConfig, 'url'>): ServerConfig {
  return {
    name: 'sim',
    apiVersion: 'v8',
    username: 'u',
    password: 'p',
    organizations: [],
    ca: undefined,
    tlsInsecure: false,
    pollIntervalSeconds: 3600, // tests drive cycles with pollNow()
    pollConcurrency: 4,
    requestTimeoutSeconds: 5,
    maxResponseBytes: DEFAULTS.maxResponseBytes,
    collection: DEFAULTS.collection,
    verificationCycles: DEFAULTS.verificationCycles,
    ...overrides,
  };
}

/** A server configuration pointing at the simulator, trusting its certificate. */
export function serverConfig(simulator: Simulator, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return testServerConfig({
    url: simulator.url,
    username: simulator.username,
    password: simulator.password,
    ca: simulator.ca,
    ...overrides,
  });
}

export interface Harness extends ExporterHarness {
  readonly simulator: Simulator;
}

export interface HarnessOptions {
  readonly simulator?: SimulatorOptions;
  readonly server?: Partial<ServerConfig>;
  readonly config?: Partial<ExporterConfig>;
  readonly clock?: Clock;
  /** Wait for the first cycle before returning (default true). */
  readonly waitForFirstCycle?: boolean;
}

/**
 * The certificate the simulators of harnesses serve unless a test gives one: the same kind each would make
 * for itself (self-signed, for 127.0.0.1, ::1 and localhost), made once a worker instead of once a harness,
 * where it cost about 15 ms of CPU some 90 times a run.
 */
let loopbackCertificate: Promise<ServerCertificate> | undefined;

async function harnessSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  if (options.certificate !== undefined || options.host !== undefined || options.tls === false)
    return startSimulator(options);
  loopbackCertificate ??= createSelfSignedCertificate('127.0.0.1');
  return startSimulator({ ...options, certificate: await loopbackCertificate });
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const simulator = await harnessSimulator(options.simulator);
  const harness = await startExporterFor([serverConfig(simulator, options.server)], options);
  return {
    ...harness,
    simulator,
    close: async () => {
      await harness.close();
      await simulator.close();
    },
  };
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let lastParsed: { readonly text: string; readonly byName: ReadonlyMap<string, readonly Sample[]> } | undefined;

/**
 * Samples named `name` (a family's, or a histogram's `_bucket`, `_sum`, `_count`) in exposition text.
 * The whole text is parsed strictly, so any malformed line fails the test; the last text's samples are kept.
 */
export function samples(text: string, name: string): readonly Sample[] {
  if (lastParsed?.text !== text) {
    const byName = new Map<string, Sample[]>();
    for (const family of parseExposition(text))
      for (const sample of family.samples) {
        const named = byName.get(sample.name);
        if (named === undefined) byName.set(sample.name, [sample]);
        else named.push(sample);
      }
    lastParsed = { text, byName };
  }
  return lastParsed.byName.get(name) ?? [];
}

/** The value of the one sample of `name` whose labels include every given pair (values unescaped). */
export function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels);
  const found = samples(text, name).filter((sample) => wanted.every(([key, value]) => sample.labels[key] === value));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/**
 * The fake clock of tests over real sockets: retry and Retry-After waits (at most a minute) are skipped and
 * recorded; request deadlines, token lifetimes, login back-off and the wait for the next cycle move only
 * with advance(), so cycles run when the test calls pollNow().
 */
export function fakeClockSkippingRetries(): FakeClock {
  return fakeClock({ skipSleepsUpToMs: REQUEST_RETRY.longestWaitMs });
}

/** An exporter without a simulator of its own: for servers that are down, not yet started or unresolvable. */
export interface ExporterHarness {
  readonly exporter: RunningExporter;
  readonly logs: LogCapture;
  metricsText(): Promise<string>;
  close(): Promise<void>;
}

/** An exporter configuration for tests: the given servers, one loopback listener on a free port, quiet logs. */
export function testExporterConfig(
  servers: readonly ServerConfig[],
  overrides: Partial<ExporterConfig> = {},
): ExporterConfig {
  return {
    servers,
    listen: [{ host: '127.0.0.1', port: 0 }],
    telemetryPath: '/metrics',
    logFormat: 'json',
    logLevel: 'silent',
    shard: undefined,
    webConfigFile: undefined,
    ...overrides,
  };
}

/** The real exporter on the real clock with silent logs, for tests that watch it from outside (a real Prometheus). */
export function startQuietExporter(servers: readonly ServerConfig[]): Promise<RunningExporter> {
  return startExporter(testExporterConfig(servers), {
    logger: createLogger('silent'),
    clock: systemClock,
    random: Math.random,
    version: '0.0.0-test',
  });
}

export async function startExporterFor(
  servers: readonly ServerConfig[],
  options: {
    readonly clock?: Clock;
    readonly config?: Partial<ExporterConfig>;
    readonly waitForFirstCycle?: boolean;
  } = {},
): Promise<ExporterHarness> {
  const logs = new LogCapture();
  const config = testExporterConfig(servers, { logLevel: 'debug', ...options.config });
  const exporter = await startExporter(config, {
    logger: createLogger(config.logLevel, logs),
    clock: options.clock ?? systemClock,
    random: () => 0.5,
    version: '0.0.0-test',
    // Loaded here as loadConfiguration loads it for the program: the exporter takes it loaded.
    webConfig: config.webConfigFile === undefined ? undefined : loadWebConfig(config.webConfigFile),
  });
  if (options.waitForFirstCycle !== false) await waitFor(() => exporter.store.ready(), 20_000);
  return {
    exporter,
    logs,
    metricsText: async () => {
      const response = await fetch(`${exporter.url}/metrics`);
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return response.text();
    },
    close: () => exporter.stop(),
  };
}
