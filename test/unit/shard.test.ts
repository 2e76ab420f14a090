/** Sharding: every organization has exactly one owner for any shard count, and sharded exporters split the work. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ownedBy, shardOf } from '../../src/poller/shard.js';
import { samples, startHarness } from '../support/harness.js';

describe('shard ownership', () => {
  // Deterministic UUID-shaped IDs, so the spread bound below is checked on the same input every run.
  const ids = Array.from({ length: 3_000 }, (_, index) => {
    const hex = createHash('sha256').update(String(index)).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'gives every organization exactly one owner among %i shards, spread evenly',
    (count) => {
      const owners = ids.map((id) =>
        Array.from({ length: count }, (_, index) => index).filter((index) =>
          ownedBy(count === 1 ? undefined : { index, count })(id),
        ),
      );
      expect(owners.every((list) => list.length === 1)).toBe(true);
      const perShard = Array.from({ length: count }, (_, index) => owners.filter((list) => list[0] === index).length);
      // FNV-1a spreads UUIDs well: no shard gets more than 20 % above its fair share.
      expect(Math.max(...perShard)).toBeLessThan((ids.length / count) * 1.2);
    },
  );

  it('is stable and ignores case (known values pin the hash across versions)', () => {
    expect(shardOf('7665cf30-ee89-4d0d-a343-2776da77ed79', 4)).toBe(shardOf('7665CF30-EE89-4D0D-A343-2776DA77ED79', 4));
    // FNV-1a 32 of the ID is 0xa166a811 (computed independently with Python); these are its remainders.
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((count) => shardOf('7665cf30-ee89-4d0d-a343-2776da77ed79', count))).toEqual([
      0, 1, 1, 1, 3, 1, 4, 1,
    ]);
  });
});

describe('sharded exporters', () => {
  it('poll disjoint sets of organizations that together cover all of them, with the shard label on own metrics only', async () => {
    const count = 3;
    const harnesses = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        startHarness({ simulator: { organizationCount: 30 }, config: { shard: { index, count } } }),
      ),
    );
    try {
      const seen = new Map<string, number>();
      for (const [index, harness] of harnesses.entries()) {
        const text = await harness.metricsText();
        for (const sample of samples(text, 'veeam_vb365_organization_poll_success')) {
          const id = sample.labels['organization_id'] ?? '';
          expect(seen.has(id)).toBe(false);
          seen.set(id, index);
        }
        expect(text).toContain(
          `veeam_vb365_exporter_build_info{version="0.0.0-test",revision="unknown",node_version="${process.version}",shard="${index}/${count}"} 1`,
        );
        expect(
          samples(text, 'veeam_vb365_repository_used_space_bytes').some((sample) => 'shard' in sample.labels),
        ).toBe(false);
      }
      // Each harness has its own simulator with the same deterministic data: 5 seed + 30 generated organizations.
      expect(seen.size).toBe(35);
      expect(new Set(seen.values()).size).toBe(count);
    } finally {
      await Promise.all(harnesses.map((harness) => harness.close()));
    }
  });
});
