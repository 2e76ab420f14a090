// Leaves fields out of an answer, as a server (or an older build) that does not report them would, so a
// client can be tested to give no value rather than a wrong one.
import type { Json } from './representations.js';

type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Removes each dotted `fields` path from the answered object, from every item of a plain array, or from
 * every item of a page's `results`. The page envelope itself is never touched. Works in place.
 */
export function removeAbsentFields(answer: Json, fields: readonly string[]): Json {
  if (fields.length === 0) return answer;
  const items = Array.isArray(answer)
    ? answer
    : isObject(answer) && Array.isArray(answer['results'])
      ? answer['results']
      : [answer];
  for (const item of items) {
    for (const field of fields) removePath(item, field.split('.'));
  }
  return answer;
}

function removePath(target: Json, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || !isObject(target)) return;
  if (rest.length === 0) delete target[head];
  else removePath(target[head] ?? null, rest);
}
