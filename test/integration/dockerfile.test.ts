/**
 * The Dockerfile, checked without a Docker engine: its structure (non-root user, exact CMD, port,
 * healthcheck without curl, OCI labels), then a replay of both stages in temporary folders: the build
 * stage's COPY lines (filtered by .dockerignore) and RUN lines, then the runtime stage's COPY --from
 * lines and RUN lines, and finally the CMD on Node 24 against the bundled simulator.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSimulator } from 'vb365-simulator';
import type { Simulator } from 'vb365-simulator';
import { parseExposition } from '../support/exposition-parser.js';
import { SIMULATOR_PACKAGES, installedPackages, simulatorFiles } from '../support/installed-tree.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const dockerfileText = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const dockerignoreText = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');

interface Instruction {
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

interface Copy {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
}

/** Splits a Dockerfile into stages of instructions (comments dropped, `\` continuations joined). */
function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending !== '' && line.trimStart().startsWith('#')) return;
    if (pending === '') startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/s.exec(full);
    if (match === null) return;
    instructions.push({ keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim(), line: startLine });
  });

  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (match === null) throw new Error(`Dockerfile:${instruction.line}: cannot read FROM ${instruction.args}`);
      stages.push({ image: match[1] ?? '', name: match[2], instructions: [] });
    } else if (instruction.keyword === 'ARG' && stages.length === 0) {
      continue;
    } else {
      const stage = stages.at(-1);
      if (stage === undefined) throw new Error(`Dockerfile:${instruction.line}: ${instruction.keyword} before FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

function parseCopy(instruction: Instruction): Copy {
  const words = instruction.args.startsWith('[')
    ? (JSON.parse(instruction.args) as string[])
    : instruction.args.split(/\s+/).filter((word) => word !== '');
  let from: string | undefined;
  const paths: string[] = [];
  for (const word of words) {
    if (word.startsWith('--from=')) from = word.slice('--from='.length);
    else if (word.startsWith('--'))
      throw new Error(`Dockerfile:${instruction.line}: this test does not replay COPY ${word}`);
    else paths.push(word);
  }
  const dest = paths.pop();
  if (dest === undefined || paths.length === 0)
    throw new Error(`Dockerfile:${instruction.line}: COPY needs sources and a destination`);
  return { from, sources: paths, dest };
}

/** The command of an exec-form (JSON array) CMD or HEALTHCHECK ... CMD. */
function execForm(args: string, what: string): string[] {
  const json = args.slice(args.indexOf('['));
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`${what} must use the exec form ["...", "..."], got ${args}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string'))
    throw new Error(`${what}: not a list of strings`);
  return parsed;
}

/** KEY=value pairs of LABEL and ENV (values may be double-quoted). */
function keyValues(args: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const match of args.matchAll(/([\w.-]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g)) {
    pairs.set(match[1] ?? '', match[2] ?? match[3] ?? '');
  }
  return pairs;
}

/** Strips the RUN flags a plain shell cannot replay (BuildKit cache mounts). */
function runCommand(args: string): string {
  return args.replace(/^(--\S+\s+)+/, '').trim();
}

/** .dockerignore semantics: patterns anchored at the context root, `!` re-includes, the last match wins. */
function dockerIgnored(path: string, patterns: readonly string[]): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = posix.normalize((negate ? raw.slice(1) : raw).replace(/^\/+/, ''));
    const glob = (part: string): string =>
      part
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]');
    // `**/` matches any number of folders, none included; `**` alone matches anything.
    const body = pattern
      .split('**/')
      .map((part) => part.split('**').map(glob).join('.*'))
      .join('(?:.*/)?');
    const regex = new RegExp(`^${body}(?:/.*)?$`);
    if (regex.test(path)) ignored = !negate;
  }
  return ignored;
}

const dockerignorePatterns = dockerignoreText
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

const stages = parseDockerfile(dockerfileText);
const finalStage = stages.at(-1) as Stage;
const buildStage = stages[0] as Stage;

function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

function lastOf(stage: Stage, keyword: string): Instruction {
  const found = instructionsOf(stage, keyword).at(-1);
  if (found === undefined) throw new Error(`the ${stage.name ?? 'final'} stage has no ${keyword}`);
  return found;
}

describe('Dockerfile structure', () => {
  it('builds on node:24 with dev dependencies and runs on a node:24 slim image', () => {
    expect(stages).toHaveLength(2);
    expect(buildStage.name).toBe('build');
    expect(buildStage.image).toMatch(/^node:24(-bookworm-slim|-alpine)(@sha256:[0-9a-f]{64})?$/);
    expect(finalStage.image).toMatch(/^node:24-(bookworm-)?slim(@sha256:[0-9a-f]{64})?$/);
    const buildRuns = instructionsOf(buildStage, 'RUN').map((run) => runCommand(run.args));
    expect(buildRuns.some((run) => /^npm ci\b/.test(run) && !run.includes('--omit=dev'))).toBe(true);
    expect(buildRuns).toContain('npm run build:exporter');
    const finalRuns = instructionsOf(finalStage, 'RUN').map((run) => runCommand(run.args));
    expect(finalRuns.some((run) => /^npm ci\b.*--omit=dev/.test(run))).toBe(true);
  });

  it('copies exactly package.json, package-lock.json and dist/ from the build stage into the runtime', () => {
    const copies = instructionsOf(finalStage, 'COPY').map(parseCopy);
    expect(
      copies.every((copy) => copy.from === buildStage.name),
      'every runtime COPY takes from the build stage',
    ).toBe(true);
    const sources = copies.flatMap((copy) =>
      copy.sources.map((source) => posix.relative(lastOf(buildStage, 'WORKDIR').args, source)),
    );
    expect(sources.sort()).toEqual(['dist', 'package-lock.json', 'package.json']);
    expect(instructionsOf(finalStage, 'ADD')).toHaveLength(0);
  });

  it('runs as a numeric non-root user with NODE_ENV=production', () => {
    const user = lastOf(finalStage, 'USER').args;
    const [uid = '', gid] = user.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    if (gid !== undefined) expect(Number(gid)).toBeGreaterThan(0);
    // The Helm chart's securityContext runs the same UID.
    expect(Number(uid)).toBe(1000);
    const env = new Map(instructionsOf(finalStage, 'ENV').flatMap((instruction) => [...keyValues(instruction.args)]));
    expect(env.get('NODE_ENV')).toBe('production');
  });

  it('starts with exactly CMD ["node", "dist/main.js"] and exposes 10365', () => {
    expect(execForm(lastOf(finalStage, 'CMD').args, 'CMD')).toEqual(['node', 'dist/main.js']);
    expect(instructionsOf(finalStage, 'ENTRYPOINT')).toHaveLength(0);
    expect(lastOf(finalStage, 'EXPOSE').args.split(/\s+/)).toEqual(['10365']);
  });

  it('has a HEALTHCHECK that asks /healthz with node alone, in valid JavaScript', () => {
    const healthcheck = lastOf(finalStage, 'HEALTHCHECK').args;
    expect(healthcheck).not.toMatch(/\b(curl|wget)\b/);
    const command = execForm(healthcheck, 'HEALTHCHECK');
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    const script = command[2] ?? '';
    expect(script).toContain('http://127.0.0.1:${port}/healthz');
    expect(script).toContain("process.env.VB365_LISTEN_ADDRESS || ':10365'");
    expect(script).toContain('process.exit(1)');
    expect(() => new Script(script, { filename: 'HEALTHCHECK' })).not.toThrow();
    expect(healthcheck).toMatch(/--timeout=\d+s/);
  });

  it('carries the OCI labels, the version from a build argument', () => {
    const labels = new Map(
      instructionsOf(finalStage, 'LABEL').flatMap((instruction) => [...keyValues(instruction.args)]),
    );
    expect(labels.get('org.opencontainers.image.title')).toBe('vb365-exporter');
    expect(labels.get('org.opencontainers.image.licenses')).toBe('Apache-2.0');
    expect(labels.get('org.opencontainers.image.description')).toMatch(/Veeam Backup for Microsoft 365/);
    expect(labels.get('org.opencontainers.image.source')).toMatch(/^(https:\/\/|\$\{\w+\}$)/);
    expect(labels.get('org.opencontainers.image.version')).toBe('${VERSION}');
    expect(labels.get('org.opencontainers.image.revision')).toBe('${REVISION}');
    const args = new Map(
      instructionsOf(finalStage, 'ARG').map((instruction) => [
        instruction.args.split('=')[0],
        instruction.args.split('=')[1],
      ]),
    );
    // The default version is package.json's, so an image built without --build-arg says the truth.
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(args.get('VERSION')).toBe(version);
    expect([...args.keys()]).toEqual(expect.arrayContaining(['REVISION', 'CREATED']));
    expect(keyValues(lastOf(finalStage, 'ENV').args).get('VB365_EXPORTER_REVISION')).toBe('${REVISION}');
  });

  it('declares what changes with each commit after the dependency install, so that layer stays cached', () => {
    const order = finalStage.instructions;
    const install = order.findLastIndex((instruction) => instruction.keyword === 'RUN');
    const firstArg = order.findIndex((instruction) => instruction.keyword === 'ARG');
    const firstLabel = order.findIndex((instruction) => instruction.keyword === 'LABEL');
    expect(install).toBeGreaterThanOrEqual(0);
    expect(firstArg).toBeGreaterThan(install);
    expect(firstLabel).toBeGreaterThan(install);
  });

  it('keeps node_modules, dist, .git and test output out of the build context, but not what the build copies', () => {
    for (const path of [
      'node_modules',
      'dist',
      '.git',
      'coverage',
      '.tools',
      'test',
      'src/x/node_modules/y',
      'debug.log',
      '.env',
    ]) {
      expect(dockerIgnored(path, dockerignorePatterns), `${path} is ignored`).toBe(true);
    }
    const copied = instructionsOf(buildStage, 'COPY').flatMap((instruction) => parseCopy(instruction).sources);
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) {
      expect(dockerIgnored(source, dockerignorePatterns), `${source} reaches the build`).toBe(false);
    }
  });
});

/** Runs one command, resolving with its output; rejects with the output when it fails. */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const settings = { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 };
    execFile(command, args, settings, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else
        reject(
          new Error(`${command} ${args.join(' ')} failed in ${options.cwd}: ${error.message}\n${stdout}\n${stderr}`),
        );
    });
  });
}

/** Copies `source` (file or folder, relative to `fromRoot`) like Docker's COPY, skipping ignored paths. */
async function copyLikeDocker(
  fromRoot: string,
  source: string,
  dest: string,
  destIsDirectory: boolean,
  ignore: readonly string[],
): Promise<void> {
  const from = join(fromRoot, source);
  if ((await stat(from)).isDirectory()) {
    // A folder's contents land in dest.
    await mkdir(dest, { recursive: true });
    await cp(from, dest, {
      recursive: true,
      filter: (path) => !dockerIgnored(relative(fromRoot, path).split('\\').join('/'), ignore),
    });
  } else {
    const target = destIsDirectory ? join(dest, basename(source)) : dest;
    await mkdir(dirname(target), { recursive: true });
    await cp(from, target);
  }
}

/** Replays a stage in `root` (which stands for the image's /): WORKDIR, ENV, COPY and RUN. */
type CopyContext =
  /** COPY from the build context (the repository), filtered by .dockerignore. */
  | { readonly root: string; readonly ignore: readonly string[] }
  /** COPY --from=<stage>: the folder that stands for that stage's /. */
  | { readonly stageRoot: string };

async function replayStage(
  stage: Stage,
  root: string,
  context: CopyContext,
  baseEnv: NodeJS.ProcessEnv,
): Promise<NodeJS.ProcessEnv> {
  let workdir = '/';
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case 'WORKDIR':
        workdir = posix.resolve(workdir, instruction.args);
        await mkdir(join(root, workdir), { recursive: true });
        break;
      case 'ENV':
        for (const [key, value] of keyValues(instruction.args)) env[key] = value;
        break;
      case 'COPY': {
        const copy = parseCopy(instruction);
        const dest = join(root, posix.resolve(workdir, copy.dest));
        const destIsDirectory = copy.dest.endsWith('/') || copy.dest === '.' || copy.sources.length > 1;
        for (const source of copy.sources) {
          if (copy.from !== undefined) {
            if (!('stageRoot' in context))
              throw new Error(`Dockerfile:${instruction.line}: COPY --from in the first stage`);
            await copyLikeDocker(context.stageRoot, source.replace(/^\/+/, ''), dest, destIsDirectory, []);
          } else {
            if (!('root' in context)) {
              throw new Error(
                `Dockerfile:${instruction.line}: this test replays COPY from the context only in the build stage`,
              );
            }
            await copyLikeDocker(context.root, source, dest, destIsDirectory, context.ignore);
          }
        }
        break;
      }
      case 'RUN': {
        const command = runCommand(instruction.args);
        if (!/^npm (ci|run|install)\b[^;&|`$]*$/.test(command)) {
          throw new Error(`Dockerfile:${instruction.line}: this test replays only plain npm commands, not: ${command}`);
        }
        await run('sh', ['-c', command], { cwd: join(root, workdir), env, timeoutMs: 200_000 });
        break;
      }
      default:
        break;
    }
  }
  return env;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

/** The node binary the image runs: this one when it is Node 24, else node@24 from the npm registry. */
async function node24(): Promise<string> {
  const major = /^(\d+)/.exec(/^node:(\d+)/.exec(finalStage.image)?.[1] ?? '')?.[1] ?? '24';
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  const out = await run(
    'npm',
    ['exec', '--yes', '--prefer-offline', `--package=node@${major}`, '--', 'node', '-p', 'process.execPath'],
    {
      cwd: tmpdir(),
      env: process.env,
      timeoutMs: 180_000,
    },
  );
  const path = out.trim().split('\n').at(-1) ?? '';
  const version = (await run(path, ['--version'], { cwd: tmpdir(), env: process.env, timeoutMs: 30_000 })).trim();
  expect(version.startsWith(`v${major}.`), `node@${major} from npm is ${version}`).toBe(true);
  return path;
}

/** Polls `probe` until it returns a value; gives up at the deadline or as soon as the process exits. */
async function waitFor<T>(
  what: string,
  timeoutMs: number,
  child: ChildProcess,
  probe: () => Promise<T | undefined>,
  logs: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the exporter exited (${child.exitCode ?? child.signalCode}) before ${what}; its output:\n${logs()}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; exporter output:\n${logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('Dockerfile stages replayed without Docker', () => {
  let work = '';
  let simulator: Simulator | undefined;
  let exporter: ChildProcess | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vb365-dockerfile-'));
  });

  afterAll(async () => {
    if (exporter !== undefined && exporter.exitCode === null) exporter.kill('SIGKILL');
    await simulator?.close();
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('builds from a clean copy, installs production dependencies only, and serves /healthz and /metrics on Node 24', async () => {
    // npm settings for the replay: reuse the local cache, stay quiet.
    const npmEnv: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };

    const buildRoot = join(work, 'build');
    await replayStage(buildStage, buildRoot, { root: repoRoot, ignore: dockerignorePatterns }, npmEnv);
    const buildWorkdir = join(buildRoot, lastOf(buildStage, 'WORKDIR').args);
    expect(existsSync(join(buildWorkdir, 'dist', 'main.js')), 'the build stage produced dist/main.js').toBe(true);
    expect(existsSync(join(buildWorkdir, 'test')), 'the build context holds no tests').toBe(false);

    const runtimeRoot = join(work, 'runtime');
    const imageEnv = await replayStage(finalStage, runtimeRoot, { stageRoot: buildRoot }, npmEnv);
    const appDir = join(runtimeRoot, lastOf(finalStage, 'WORKDIR').args);
    expect((await readdir(appDir)).sort()).toEqual(['dist', 'node_modules', 'package-lock.json', 'package.json']);
    for (const devOnly of ['typescript', 'vitest', 'eslint', '@types/node']) {
      expect(existsSync(join(appDir, 'node_modules', devOnly)), `${devOnly} is not in the image`).toBe(false);
    }
    const installed = await installedPackages(join(appDir, 'node_modules'));
    for (const simulatorOnly of SIMULATOR_PACKAGES)
      expect(installed, 'the image has no simulator').not.toContain(simulatorOnly);
    expect(await simulatorFiles(appDir), 'no simulator code in the image').toEqual([]);

    simulator = await startSimulator();
    const caFile = join(work, 'simulator-ca.pem');
    await writeFile(caFile, simulator.ca ?? '');
    const port = await freePort();
    const [program = '', ...programArgs] = execForm(lastOf(finalStage, 'CMD').args, 'CMD');
    expect(program).toBe('node');

    let output = '';
    exporter = spawn(await node24(), programArgs, {
      cwd: appDir,
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: imageEnv['NODE_ENV'],
        // As the image's ENV sets it from --build-arg REVISION.
        VB365_EXPORTER_REVISION: '0123abc',
        VB365_URL: simulator.url,
        VB365_USERNAME: simulator.username,
        VB365_PASSWORD: simulator.password,
        VB365_CA_FILE: caFile,
        VB365_LISTEN_ADDRESS: `127.0.0.1:${port}`,
        VB365_POLL_INTERVAL: '300',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exporter.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exporter.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => exporter?.once('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;

    const running = exporter;
    const health = await waitFor(
      '/healthz',
      30_000,
      running,
      async () => (await fetch(`${base}/healthz`)).status,
      () => output,
    );
    expect(health).toBe(200);

    const metrics = await waitFor(
      'veeam_vb365_up in /metrics',
      30_000,
      running,
      async () => {
        const body = await (await fetch(`${base}/metrics`)).text();
        try {
          const up = parseExposition(body).find((family) => family.name === 'veeam_vb365_up');
          return up?.samples.some((sample) => sample.value === 1) ? body : undefined;
        } catch {
          return body; // not valid exposition text: the check below fails, naming the line
        }
      },
      () => output,
    );
    expect(parseExposition(metrics).find((family) => family.name === 'veeam_vb365_up')?.type).toBe('gauge');
    const buildInfo = parseExposition(metrics).find((family) => family.name === 'veeam_vb365_exporter_build_info');
    expect(buildInfo?.samples[0]?.labels['revision']).toBe('0123abc');

    // The image's HEALTHCHECK, with the exporter's environment, passes while the exporter runs.
    const script = execForm(lastOf(finalStage, 'HEALTHCHECK').args, 'HEALTHCHECK')[2] ?? '';
    const healthEnv = { VB365_LISTEN_ADDRESS: `127.0.0.1:${port}` };
    await expect(run(process.execPath, ['-e', script], { cwd: work, env: healthEnv, timeoutMs: 15_000 })).resolves.toBe(
      '',
    );

    exporter.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('still running after 5 s'), 5_000)),
    ]);
    expect(code, output).toBe(0);

    // ...and fails once nothing answers.
    await expect(
      run(process.execPath, ['-e', script], { cwd: work, env: healthEnv, timeoutMs: 15_000 }),
    ).rejects.toThrow();
  }, 240_000);
});
