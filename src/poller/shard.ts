/**
 * Which shard owns an organization: FNV-1a (32 bit) of the lower-case organization ID, modulo the
 * shard count. Stable across restarts, versions and pods, so each organization has exactly one owner.
 */
import type { Shard } from '../config/types.js';

export function shardOf(organizationId: string, count: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(organizationId.toLowerCase(), 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}

export function ownedBy(shard: Shard | undefined): (organizationId: string) => boolean {
  if (shard === undefined) return () => true;
  return (organizationId) => shardOf(organizationId, shard.count) === shard.index;
}
