/**
 * How fields of VB365 answers are read, for every fact module: only what the exporter uses is checked, and
 * a value that cannot be trusted is refused with a reason rather than becoming a made-up sample.
 */
import { UUID_PATTERN } from '../uuid.js';

export type Json = Readonly<Record<string, unknown>>;

export type ItemResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Byte counts (and other counts) are int64 in the API. Null or absent means "not reported"; anything that
 * is not a non-negative integer JavaScript can hold exactly (below 2^53) is refused rather than rounded.
 */
export function byteCount(item: Json, key: string): ItemResult<number | null> {
  const value = item[key];
  if (value === null || value === undefined) return { ok: true, value: null };
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return reject(`"${key}" is not a byte count (${kindOf(value)}${typeof value === 'number' ? ` ${value}` : ''})`);
  }
  return { ok: true, value };
}

/** A UUID in lower case (the exporter's one spelling of an ID), or undefined. */
export function uuid(value: unknown): string | undefined {
  return typeof value === 'string' && UUID_PATTERN.test(value) ? value.toLowerCase() : undefined;
}

/** `/v6/backuprepositories/<uuid>` (any case, maybe absolute or with a query): the UUID of the last path segment. */
export function uuidOfLink(links: unknown, name: string): string | undefined {
  if (!isObject(links) || !isObject(links[name])) return undefined;
  const href = links[name]['href'];
  if (typeof href !== 'string') return undefined;
  const path = href.split(/[?#]/, 1)[0] ?? '';
  return uuid(path.replace(/\/+$/, '').split('/').pop());
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function reject(reason: string): { readonly ok: false; readonly reason: string } {
  return { ok: false, reason };
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fractional number';
  return `a ${typeof value}`;
}
