/** What an installed tree holds: the check that the simulator never ships with the exporter. */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** The simulator's package name, its certificate library, and a word only simulator code contains. */
export const SIMULATOR_PACKAGES = ['vb365-simulator', 'selfsigned'] as const;
const SIMULATOR_MARK = 'startSimulator';

async function* filesBelow(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesBelow(path);
    else if (entry.isFile() || entry.isSymbolicLink()) yield path;
  }
}

/** Every package name installed below `nodeModules`, nested ones included, sorted. */
export async function installedPackages(nodeModules: string): Promise<string[]> {
  const names = new Set<string>();
  for await (const path of filesBelow(nodeModules)) {
    if (!path.endsWith('/package.json') || relative(nodeModules, path).split('/').at(-3) === 'test') continue;
    const manifest = JSON.parse(await readFile(path, 'utf8').catch(() => '{}')) as { name?: unknown };
    if (typeof manifest.name === 'string') names.add(manifest.name);
  }
  for (const entry of await readdir(nodeModules)) if (!entry.startsWith('.')) names.add(entry);
  return [...names].sort();
}

/** Files below `dir` (relative) whose path names the simulator or whose JavaScript contains simulator code. */
export async function simulatorFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const path of filesBelow(dir)) {
    const name = relative(dir, path);
    if (/simulator/i.test(name)) found.push(name);
    else if (/\.[cm]?js$/.test(name) && (await readFile(path, 'utf8')).includes(SIMULATOR_MARK)) found.push(name);
  }
  return found;
}
