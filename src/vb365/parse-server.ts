/**
 * Validation of the answers about the server as a whole (ServiceInstance, License, Health) and of object
 * storage items. As in parse.ts, only what the exporter uses is checked; a field the server does not
 * report becomes null (no sample), a field of the wrong kind makes the answer invalid.
 */
import { UUID_PATTERN } from '../uuid.js';
import { Vb365Error } from './errors.js';
import type { ItemResult, ItemRules } from './parse.js';
import type { HealthReport, License, ObjectStorage, ServiceInstance } from './types.js';

type Json = Readonly<Record<string, unknown>>;

/**
 * Veeam documents `sizeLimitGB` only as "the size limit in GB" (REST) and "a soft limit in GB" with
 * permitted values 1024 to 10737418240 (PowerShell); no source says 10^9 or 2^30. Those bounds are powers
 * of 1024, and VB365 runs on Windows, which counts a GB as 2^30 bytes: taken as 2^30.
 */
export const BYTES_PER_SIZE_LIMIT_GB = 2 ** 30;

function object(json: unknown, what: string): Json {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw Vb365Error.invalidAnswer(`expected ${what} to be an object`);
  return json as Json;
}

export function parseServiceInstance(json: unknown): ServiceInstance {
  const body = object(json, 'the ServiceInstance answer');
  const version = body['version'];
  if (typeof version !== 'string' || version.trim() === '')
    throw Vb365Error.invalidAnswer('the ServiceInstance answer has no "version"');
  return { version };
}

/** v7/v8 `licenseExpires`, v6 `expirationDate`; numbers are users. */
export function parseLicense(json: unknown): License {
  const body = object(json, 'the License answer');
  return {
    status: optionalText(body, 'status'),
    type: optionalText(body, 'type'),
    package: optionalText(body, 'package'),
    totalUsers: count(body, 'totalNumber'),
    usedUsers: count(body, 'usedNumber'),
    newUsers: count(body, 'newNumber'),
    expiresMs: date(body, body['licenseExpires'] === undefined ? 'expirationDate' : 'licenseExpires'),
    gracePeriodExpiresMs: date(body, 'gracePeriodExpires'),
  };
}

export function parseHealth(json: unknown): HealthReport {
  const body = object(json, 'the Health answer');
  const healthy = status(body['status'], 'status');
  const entries = body['entries'] ?? {};
  const components = Object.entries(object(entries, '"entries"'))
    .map(([name, entry]) => ({
      name,
      healthy: status(object(entry, `the entry ${JSON.stringify(name)}`)['status'], name),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { healthy, components };
}

/**
 * An object storage: embedded in a v8 repository, or an item of the v6/v7 listing. Only the listing's
 * items need an ID (repositories point to them by it): the v8 document requires none of the embedded fields.
 */
export function parseObjectStorage(item: unknown, embedded = false): ItemResult<ObjectStorage> {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return { ok: false, reason: 'expected an object storage object' };
  const body = item as Json;
  const id = typeof body['id'] === 'string' && UUID_PATTERN.test(body['id']) ? body['id'].toLowerCase() : undefined;
  if (id === undefined && !embedded) return { ok: false, reason: 'the object storage "id" is not a UUID' };
  const used = bytes(body, 'usedSpaceBytes');
  const free = bytes(body, 'freeSpaceBytes');
  const limitGb = bytes(body, 'sizeLimitGB');
  const enabled = body['sizeLimitEnabled'];
  if (used === false || free === false || limitGb === false)
    return { ok: false, reason: `object storage ${id ?? ''}: a size is not a non-negative whole number` };
  if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean')
    return { ok: false, reason: `object storage ${id ?? ''}: "sizeLimitEnabled" is not a boolean` };
  const sizeLimitBytes = enabled === true && limitGb !== null ? limitGb * BYTES_PER_SIZE_LIMIT_GB : null;
  if (sizeLimitBytes !== null && !Number.isSafeInteger(sizeLimitBytes))
    return { ok: false, reason: `object storage ${id ?? ''}: "sizeLimitGB" is too large` };
  return { ok: true, value: { id: id ?? '', usedSpaceBytes: used, freeSpaceBytes: free, sizeLimitBytes } };
}

export const objectStorageItems: ItemRules<ObjectStorage> = {
  parse: parseObjectStorage,
  idOf: (storage) => storage.id,
};

function status(value: unknown, where: string): boolean {
  if (value === 'Healthy') return true;
  if (value === 'Unhealthy') return false;
  throw Vb365Error.invalidAnswer(`the Health answer's ${where} is neither Healthy nor Unhealthy`);
}

function optionalText(body: Json, key: string): string {
  const value = body[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw Vb365Error.invalidAnswer(`the License answer's "${key}" is not a string`);
  return value;
}

function count(body: Json, key: string): number | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw Vb365Error.invalidAnswer(`the License answer's "${key}" is not a count`);
  return value;
}

function date(body: Json, key: string): number | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw Vb365Error.invalidAnswer(`the License answer's "${key}" is not a date`);
  return ms;
}

/** null when absent, false when not a non-negative safe integer. */
function bytes(body: Json, key: string): number | null | false {
  const value = body[key];
  if (value === undefined || value === null) return null;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : false;
}
