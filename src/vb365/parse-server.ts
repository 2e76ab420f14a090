/**
 * Validation of the answers about the server as a whole (ServiceInstance, License, Health). As in
 * parse.ts, only what the exporter uses is checked; a field the server does not report becomes null (no
 * sample), a field of the wrong kind makes the answer invalid.
 */
import { Vb365Error } from './errors.js';
import type { HealthReport, License, ServiceInstance } from './types.js';

type Json = Readonly<Record<string, unknown>>;

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
