/**
 * Bytes the JavaScript heap allocated while `work` ran, from V8's own GC statistics (v8.GCProfiler): each
 * collection's heap before it minus the heap after the previous one, plus the growth since the last. Exact
 * to V8's accounting, no sampling; large objects and external buffers (Buffer data) are not counted.
 * `promotedBytes`: what the young generation's collections moved to the old one (its growth across each
 * scavenge), the garbage that then waits there for a full collection and makes the peak.
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';

export async function measureAllocation(work) {
  const profiler = new v8.GCProfiler();
  const startUsed = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  const started = performance.now();
  const result = await work();
  const wallMs = performance.now() - started;
  const { statistics } = profiler.stop();
  const endUsed = v8.getHeapStatistics().used_heap_size;
  let allocated = 0;
  let previousAfter = startUsed;
  let pauseMs = 0;
  let promoted = 0;
  for (const gc of statistics) {
    if (gc.gcType === 'Scavenge') promoted += Math.max(0, oldSpaceUsed(gc.afterGC) - oldSpaceUsed(gc.beforeGC));
    allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - previousAfter);
    previousAfter = gc.afterGC.heapStatistics.usedHeapSize;
    pauseMs += gc.cost / 1000; // microseconds
  }
  allocated += Math.max(0, endUsed - previousAfter);
  return {
    result,
    allocatedBytes: allocated,
    promotedBytes: promoted,
    collections: statistics.length,
    gcPauseMs: pauseMs,
    wallMs,
  };
}

function oldSpaceUsed(snapshot) {
  return snapshot.heapSpaceStatistics.find((space) => space.spaceName === 'old_space')?.spaceUsedSize ?? 0;
}
