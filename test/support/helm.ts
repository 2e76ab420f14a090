/**
 * A real helm binary (test/tools/install-helm.sh) with its cache and config kept inside the
 * git-ignored .tools/, for tests that render the chart.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const chartDir = join(repoRoot, 'helm', 'vb365-exporter');

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const helmHome = join(repoRoot, '.tools', 'helm-home');
const helmEnv: NodeJS.ProcessEnv = {
  ...process.env,
  HELM_CACHE_HOME: join(helmHome, 'cache'),
  HELM_CONFIG_HOME: join(helmHome, 'config'),
  HELM_DATA_HOME: join(helmHome, 'data'),
};

export function run(command: string, args: readonly string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: repoRoot, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, env: helmEnv },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error(`${command} could not run: ${error.message}`, { cause: error }));
          return;
        }
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      },
    );
  });
}

/** Installs helm when needed and returns its path. */
export async function installHelm(): Promise<string> {
  const install = await run('bash', [join(repoRoot, 'test', 'tools', 'install-helm.sh')], 120_000);
  if (install.code !== 0) throw new Error(`install-helm.sh failed:\n${install.stderr}`);
  return install.stdout.trim().split('\n').at(-1) ?? '';
}
