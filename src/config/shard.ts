import { ConfigError, describeValue } from './errors.js';
import type { Shard } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The shard this process owns: `VB365_SHARD=i/N`, or `VB365_SHARD_INDEX` + `VB365_SHARD_COUNT`
 * where the index may be a StatefulSet pod name such as `vb365-exporter-2` (its ordinal is used).
 */
export function parseShard(env: Env): Shard | undefined {
  const combined = env['VB365_SHARD'];
  if (combined !== undefined) {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(combined);
    const shard = match === null ? undefined : { index: Number(match[1]), count: Number(match[2]) };
    if (shard === undefined || !isValid(shard)) {
      throw new ConfigError('VB365_SHARD', 'i/N with 0 <= i < N <= 1024, e.g. 2/4', describeValue(combined));
    }
    return shard.count === 1 ? undefined : shard;
  }
  const indexText = env['VB365_SHARD_INDEX'];
  const countText = env['VB365_SHARD_COUNT'];
  if (indexText === undefined && countText === undefined) return undefined;
  const count = Number(countText);
  if (countText === undefined || !/^\d+$/.test(countText.trim()) || count < 1 || count > 1024) {
    throw new ConfigError(
      'VB365_SHARD_COUNT',
      'a whole number from 1 to 1024 (set with VB365_SHARD_INDEX)',
      describeValue(countText),
    );
  }
  const ordinal = /(?:^|-)(\d+)\s*$/.exec(indexText ?? '');
  const shard = { index: Number(ordinal?.[1]), count };
  if (ordinal === null || !isValid(shard)) {
    throw new ConfigError(
      'VB365_SHARD_INDEX',
      `a whole number below ${count} or a pod name ending in -<ordinal>`,
      describeValue(indexText),
    );
  }
  return shard.count === 1 ? undefined : shard;
}

function isValid(shard: Shard): boolean {
  return Number.isInteger(shard.index) && shard.count >= 1 && shard.count <= 1024 && shard.index < shard.count;
}
