/**
 * Runs a child inside a memory cgroup with a limit, as a Kubernetes pod's container runs: Node reads the
 * limit at start (process.constrainedMemory()) and V8 sizes its heap from it, so this is how the chart's
 * default `limits.memory` behaves with default flags. Linux, root, cgroup v2 or v1 with the memory controller.
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

/** "256Mi", "256M", "268435456" -> bytes. */
export function parseBytes(text) {
  const match = /^(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|K|M|G)?$/.exec(text.trim());
  if (match === null) throw new Error(`not a memory size: ${text}`);
  const units = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 };
  return Math.round(Number(match[1]) * (match[2] === undefined ? 1 : units[match[2]]));
}

/** A new cgroup limited to `bytes`; `launch` is the fork() execPath and execArgv prefix that starts Node in it. */
export function memoryCgroup(bytes) {
  const name = `vb365-bench-${process.pid}-${Date.now()}`;
  const v2 = readOrEmpty('/sys/fs/cgroup/cgroup.controllers').split(' ').includes('memory');
  const dir = v2 ? join('/sys/fs/cgroup', name) : join('/sys/fs/cgroup/memory', name);
  mkdirSync(dir);
  writeFileSync(join(dir, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(bytes));
  if (v2) writeFileSync(join(dir, 'memory.swap.max'), '0');
  return {
    bytes,
    launch: (execArgv) => ({
      execPath: '/bin/sh',
      // The shell joins the cgroup, then becomes Node: V8 is configured inside the limit from its first instruction.
      execArgv: ['-c', `echo $$ > ${join(dir, 'cgroup.procs')} && exec "$@"`, 'sh', process.execPath, ...execArgv],
    }),
    /** OOM kills inside the cgroup so far (0 where the kernel does not say). */
    oomKills: () =>
      Number(/oom_kill (\d+)/.exec(readOrEmpty(join(dir, v2 ? 'memory.events' : 'memory.oom_control')))?.[1] ?? 0),
    /** The cgroup's own peak (RSS and page cache of the processes in it). */
    peakBytes: () => Number(readOrEmpty(join(dir, v2 ? 'memory.peak' : 'memory.max_usage_in_bytes')) || 0),
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // still in use by an exiting child: left for the system to clean
      }
    },
  };
}

function readOrEmpty(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
