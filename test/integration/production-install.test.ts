/**
 * The exporter's production install from a clean copy of the repository (what a clone holds, the
 * simulator's package included) leaves the simulator and its certificate library out, and so does the
 * package npm would publish. The image is checked the same way in dockerfile.test.ts.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_PACKAGES, installedPackages, simulatorFiles } from '../support/installed-tree.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const npmEnv = {
  ...process.env,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};

let work = '';
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vb365-production-'));
  const { stdout } = await run('git', ['ls-files', '-z'], { cwd: repoRoot });
  for (const file of stdout.split('\0').filter((name) => name !== '')) {
    await cp(join(repoRoot, file), join(work, file), { verbatimSymlinks: true });
  }
}, 60_000);
afterAll(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('production install', () => {
  it('npm ci --omit=dev in a clean copy installs no simulator and no selfsigned', async () => {
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts'], { cwd: work, env: npmEnv });
    const installed = await installedPackages(join(work, 'node_modules'));
    expect(installed).toContain('prom-client');
    for (const simulatorOnly of SIMULATOR_PACKAGES) expect(installed).not.toContain(simulatorOnly);
    expect(await simulatorFiles(join(work, 'node_modules'))).toEqual([]);
  }, 120_000);

  it('the development install has both, so the check above can fail', async () => {
    const installed = await installedPackages(join(repoRoot, 'node_modules'));
    for (const simulatorOnly of SIMULATOR_PACKAGES) expect(installed).toContain(simulatorOnly);
  });

  it('the package npm would publish holds dist/ without simulator code', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: repoRoot,
      env: npmEnv,
    });
    const [packed] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
    const paths = (packed?.files ?? []).map((file) => file.path);
    expect(paths).toContain('dist/main.js');
    expect(paths.filter((path) => /simulator|demo/i.test(path))).toEqual([]);
    expect(await simulatorFiles(join(repoRoot, 'dist'))).toEqual([]);
  });
});
