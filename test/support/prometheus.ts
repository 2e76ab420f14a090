/** A real Prometheus (Debian package `prometheus`) started for a test: it scrapes the given targets on loopback. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { freePort } from './fault-checks.js';

interface PrometheusTarget {
  readonly job: string;
  /** host:port for static_configs. */
  readonly address: string;
  readonly metricsPath?: string;
}

export interface PrometheusOptions {
  /** A fresh folder for its configuration and its data. */
  readonly workDir: string;
  readonly targets: readonly PrometheusTarget[];
  readonly scrapeInterval?: string;
  readonly scrapeTimeout?: string;
  readonly ruleFiles?: readonly string[];
}

export interface RunningPrometheus {
  readonly url: string;
  /** The last lines Prometheus logged, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const configFile = path.join(options.workDir, 'prometheus.yml');
  const scrapeInterval = options.scrapeInterval ?? '1s';
  writeFileSync(
    configFile,
    stringify({
      global: {
        scrape_interval: scrapeInterval,
        scrape_timeout: options.scrapeTimeout ?? scrapeInterval,
        evaluation_interval: '1s',
      },
      rule_files: [...(options.ruleFiles ?? [])],
      scrape_configs: options.targets.map((target) => ({
        job_name: target.job,
        metrics_path: target.metricsPath ?? '/metrics',
        static_configs: [{ targets: [target.address] }],
      })),
    }),
  );
  const port = await freePort();
  const command = process.env['PROMETHEUS'] ?? 'prometheus';
  const child: ChildProcess = spawn(
    command,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(options.workDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await Promise.race([
      once(child, 'spawn'),
      once(child, 'error').then(([error]) => {
        throw error;
      }),
    ]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `prometheus not found (tried to run "${command}"). ` +
          'Install it with `apt-get install prometheus` (Debian/Ubuntu), or set PROMETHEUS to its path.',
      );
    }
    throw error;
  }

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
    }
    if (
      await fetch(`${url}/-/ready`).then(
        (response) => response.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`timed out after 15000 ms waiting for Prometheus to be ready:\n${output}`);
    }
    await sleep(200);
  }
  return { url, logs: () => output, stop };
}
