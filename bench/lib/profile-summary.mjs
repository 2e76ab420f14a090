/**
 * Where the time and the bytes go, from the profiles Node writes with --cpu-prof and --heap-prof: the
 * functions with the most self time, and the functions holding the most sampled bytes. Node's --heap-prof
 * keeps only samples still live when the profile is written (at exit), so it shows what is held, not the
 * garbage a cycle makes; the garbage per poll is section 2's allocation figure. Read after the children exit.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const where = (frame) => {
  const file = frame.url === '' ? '(native)' : frame.url.replace(/^(file:\/\/)?.*?\/(dist|node_modules)\//, '$2/');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
};

/** The `count` functions with the most self time over every .cpuprofile in `dir`, in ms. */
export function cpuHotspots(dir, count = 10) {
  const self = new Map();
  let totalMs = 0;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const intervalsMs = profile.timeDeltas.map((delta) => delta / 1000);
    profile.samples.forEach((id, index) => {
      const node = byId.get(id);
      const ms = intervalsMs[index] ?? 0;
      if (node.callFrame.functionName === '(idle)') return; // waiting for I/O is not time spent
      totalMs += ms;
      const key = where(node.callFrame);
      self.set(key, (self.get(key) ?? 0) + ms);
    });
  }
  return { totalMs, top: [...self].sort((a, b) => b[1] - a[1]).slice(0, count) };
}

/** The `count` functions whose sampled live allocations add up to the most bytes over every .heapprofile in `dir`. */
export function allocationHotspots(dir, count = 10) {
  const bytes = new Map();
  let totalBytes = 0;
  const visit = (node) => {
    const size = (node.selfSize ?? 0) > 0 ? node.selfSize : 0;
    if (size > 0) {
      const key = where(node.callFrame);
      bytes.set(key, (bytes.get(key) ?? 0) + size);
      totalBytes += size;
    }
    for (const child of node.children ?? []) visit(child);
  };
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.heapprofile'))) {
    visit(JSON.parse(readFileSync(join(dir, file), 'utf8')).head);
  }
  return { totalBytes, top: [...bytes].sort((a, b) => b[1] - a[1]).slice(0, count) };
}
