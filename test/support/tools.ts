/** External programs some tests need: a missing one fails the test with how to install it (never a silent skip). */
import { execFileSync } from 'node:child_process';

export function requireTool(command: string, debianPackage: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      `${command} is not installed: run 'apt-get install -y --no-install-recommends ${debianPackage}' (.ci/run does)`,
    );
  }
}
