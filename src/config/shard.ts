/**
 * The shard this process owns: `VB365_SHARD=i/N`, or `VB365_SHARD_INDEX` + `VB365_SHARD_COUNT`
 * where the index may be a StatefulSet pod name such as `vb365-exporter-2` (its ordinal is used).
 * Environment only: the shard differs per pod, the configuration file does not.
 */
import { z } from 'zod';
import { parseOrThrow } from './issues.js';
import type { Env, Shard } from './types.js';

const MAX_SHARDS = 1024;

const isValid = (shard: Shard): boolean =>
  Number.isInteger(shard.index) && shard.count >= 1 && shard.count <= MAX_SHARDS && shard.index < shard.count;

const combinedSchema = (() => {
  const error = `i/N with 0 <= i < N <= ${MAX_SHARDS}, e.g. 2/4`;
  return z
    .string()
    .regex(/^\s*\d+\s*\/\s*\d+\s*$/, { error })
    .transform((text): Shard => {
      const [index = '', count = ''] = text.split('/');
      return { index: Number(index), count: Number(count) };
    })
    .refine(isValid, { error });
})();

const countSchema = z
  .string({ error: `a whole number from 1 to ${MAX_SHARDS} (set with VB365_SHARD_INDEX)` })
  .regex(/^\s*\d+\s*$/, { error: `a whole number from 1 to ${MAX_SHARDS} (set with VB365_SHARD_INDEX)` })
  .transform(Number)
  .pipe(
    z
      .int()
      .min(1, { error: `a whole number from 1 to ${MAX_SHARDS} (set with VB365_SHARD_INDEX)` })
      .max(MAX_SHARDS, { error: `a whole number from 1 to ${MAX_SHARDS} (set with VB365_SHARD_INDEX)` }),
  );

/** The ordinal at the end of `3` or `vb365-exporter-3`, checked against the count. */
const indexSchema = (count: number) => {
  const error = `a whole number below ${count} or a pod name ending in -<ordinal>`;
  return z
    .string({ error })
    .regex(/(?:^|-)\d+\s*$/, { error })
    .transform((text) => Number(/(\d+)\s*$/.exec(text)?.[1]))
    .refine((index) => isValid({ index, count }), { error });
};

export function parseShard(env: Env): Shard | undefined {
  const combined = env['VB365_SHARD'];
  const named = (setting: string) => ({ settingAt: () => setting });
  if (combined !== undefined) return oneShardIsNone(parseOrThrow(combinedSchema, combined, named('VB365_SHARD')));
  const indexText = env['VB365_SHARD_INDEX'];
  const countText = env['VB365_SHARD_COUNT'];
  if (indexText === undefined && countText === undefined) return undefined;
  const count = parseOrThrow(countSchema, countText, named('VB365_SHARD_COUNT'));
  const index = parseOrThrow(indexSchema(count), indexText, named('VB365_SHARD_INDEX'));
  return oneShardIsNone({ index, count });
}

function oneShardIsNone(shard: Shard): Shard | undefined {
  return shard.count === 1 ? undefined : shard;
}
