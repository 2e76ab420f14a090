/**
 * Validation of VB365 answers: only the fields the exporter uses are checked, and an item that fails
 * is rejected with a reason instead of becoming a made-up sample. Nothing here throws on an item;
 * an answer whose overall shape is wrong throws the catalogue's invalid_answer error.
 */
import { UUID_PATTERN } from '../uuid.js';
import { Vb365Error } from './errors.js';
import type { BackupRepository, Listing, ObjectStorage, Organization, RejectedItem, UsedRepository } from './types.js';

export type ItemResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** How the items of one kind of listing are read: each validated, and the ID that may not repeat. */
export interface ItemRules<T> {
  readonly parse: (item: unknown) => ItemResult<T>;
  readonly idOf: (value: T) => string;
}

export interface Page {
  readonly results: readonly unknown[];
  readonly nextHref: string | undefined;
}

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rejected items whose reasons are kept for the log line; the rest are only counted. */
export const REASONS_KEPT = 5;

/** Validates every item, rejecting failures and repeats of an ID already seen in the same listing. */
export function validateItems<T>(items: readonly unknown[], rules: ItemRules<T>): Listing<T> {
  const validator = new ItemValidator(rules);
  validator.add(items);
  return validator.listing();
}

/**
 * validateItems() a page at a time, so a page's raw JSON can go as soon as it is read: a listing of two
 * 10,000-item pages otherwise holds both pages' parsed answers (tens of MB) until the last arrives.
 * Indexes and repeats count across the whole listing.
 */
export class ItemValidator<T> {
  private readonly accepted: T[] = [];
  private readonly rejected: RejectedItem[] = [];
  private rejectedCount = 0;
  private readonly seen = new Set<string>();
  private index = 0;

  constructor(private readonly rules: ItemRules<T>) {}

  add(items: readonly unknown[]): void {
    const { parse, idOf } = this.rules;
    for (const item of items) {
      const index = this.index++;
      const result = parse(item);
      if (!result.ok) {
        this.reject(index, result.reason);
        continue;
      }
      const id = idOf(result.value);
      if (this.seen.has(id)) {
        this.reject(index, `${id} appears more than once in the answer`);
      } else {
        this.seen.add(id);
        this.accepted.push(result.value);
      }
    }
  }

  listing(): Listing<T> {
    return { items: this.accepted, rejectedCount: this.rejectedCount, rejected: this.rejected };
  }

  private reject(index: number, reason: string): void {
    this.rejectedCount++;
    if (this.rejected.length < REASONS_KEPT) this.rejected.push({ index, reason });
  }
}

/** A VB365 page: `{ offset, limit, results: [...], _links: { next: { href } } }`. */
export function parsePage(json: unknown): Page {
  if (!isObject(json)) throw Vb365Error.invalidAnswer(`expected a page object, got ${kindOf(json)}`);
  const results = json['results'];
  if (!Array.isArray(results))
    throw Vb365Error.invalidAnswer(`expected "results" to be an array, got ${kindOf(results)}`);
  const links = json['_links'];
  const next = isObject(links) && isObject(links['next']) ? links['next']['href'] : undefined;
  if (next !== undefined && next !== null && typeof next !== 'string') {
    throw Vb365Error.invalidAnswer(`expected "_links.next.href" to be a string, got ${kindOf(next)}`);
  }
  return { results, nextHref: typeof next === 'string' && next !== '' ? next : undefined };
}

export interface TokenAnswer {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly expiresInSeconds: number;
}

/**
 * A token that lives less than this would mean a login for nearly every request (VB365 issues tokens for
 * an hour): such an answer is refused like any invalid token answer, so login back-off bounds the logins.
 */
export const SHORTEST_TOKEN_LIFETIME_SECONDS = 30;

/** An OAuth token answer: `{ access_token, refresh_token, expires_in, ... }`. */
export function parseTokenAnswer(json: unknown): TokenAnswer {
  const body = isObject(json) ? json : {};
  const accessToken = body['access_token'];
  const refreshToken = body['refresh_token'];
  const expiresIn = body['expires_in'];
  if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw Vb365Error.invalidAnswer('the token answer lacks access_token or a positive expires_in');
  }
  if (expiresIn < SHORTEST_TOKEN_LIFETIME_SECONDS) {
    throw Vb365Error.invalidAnswer(
      `the token answer's expires_in (${expiresIn} s) is shorter than the ${SHORTEST_TOKEN_LIFETIME_SECONDS} s a token must live to be used`,
    );
  }
  return {
    accessToken,
    refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : undefined,
    expiresInSeconds: expiresIn,
  };
}

export function parseOrganization(item: unknown): ItemResult<Organization> {
  if (!isObject(item)) return reject(`expected an object, got ${kindOf(item)}`);
  const id = uuid(item['id']);
  if (id === undefined) return reject(`"id" is not a UUID (${kindOf(item['id'])})`);
  return { ok: true, value: { id, name: text(item['name']) } };
}

export function parseUsedRepository(item: unknown): ItemResult<UsedRepository> {
  if (!isObject(item)) return reject(`expected an object, got ${kindOf(item)}`);
  const repositoryId = uuid(item['repositoryId']) ?? repositoryIdFromLinks(item['_links']);
  if (repositoryId === undefined)
    return reject('no repository ID: neither "repositoryId" nor "_links.backupRepository.href" holds a UUID');
  const used = byteCount(item, 'usedSpaceBytes');
  if (!used.ok) return used;
  const cache = byteCount(item, 'localCacheUsedSpaceBytes');
  if (!cache.ok) return cache;
  const objectStorage = byteCount(item, 'objectStorageUsedSpaceBytes');
  if (!objectStorage.ok) return objectStorage;
  const protectedObjects = byteCount(item, 'protectedObjectsCount');
  if (!protectedObjects.ok) return protectedObjects;
  const available = item['isAvailable'];
  if (typeof available !== 'boolean')
    return reject(`"isAvailable" is not a boolean (${kindOf(available)}) for repository ${repositoryId}`);
  return {
    ok: true,
    value: {
      repositoryId,
      usedSpaceBytes: used.value,
      localCacheUsedSpaceBytes: cache.value,
      objectStorageUsedSpaceBytes: objectStorage.value,
      isAvailable: available,
      details: text(item['details']),
      protectedObjectsCount: protectedObjects.value,
    },
  };
}

export function parseBackupRepository(item: unknown): ItemResult<BackupRepository> {
  if (!isObject(item)) return reject(`expected an object, got ${kindOf(item)}`);
  const id = uuid(item['id']);
  if (id === undefined) return reject(`"id" is not a UUID (${kindOf(item['id'])})`);
  const capacity = byteCount(item, 'capacityBytes');
  if (!capacity.ok) return capacity;
  const free = byteCount(item, 'freeSpaceBytes');
  if (!free.ok) return free;
  const flags = stateFlags(item, id);
  if (!flags.ok) return flags;
  const embedded = item['objectStorage'];
  const objectStorage = embedded === undefined || embedded === null ? undefined : parseObjectStorage(embedded, true);
  if (objectStorage !== undefined && !objectStorage.ok) return reject(`repository ${id}: ${objectStorage.reason}`);
  const storageId = item['objectStorageId'];
  return {
    ok: true,
    value: {
      id,
      name: text(item['name']),
      capacityBytes: capacity.value,
      freeSpaceBytes: free.value,
      ...flags.value,
      outOfOrderReason: text(item['outOfOrderReason']),
      objectStorage: objectStorage?.value,
      objectStorageId: uuid(storageId),
    },
  };
}

/** isOutOfSync, isOutdated, isOutOfOrder: a boolean, or null where the server does not report it. */
function stateFlags(
  item: Json,
  id: string,
): ItemResult<Pick<BackupRepository, 'isOutOfSync' | 'isOutdated' | 'isOutOfOrder'>> {
  const flags: Record<string, boolean | null> = {};
  for (const key of ['isOutOfSync', 'isOutdated', 'isOutOfOrder']) {
    const value = item[key];
    if (value !== undefined && value !== null && typeof value !== 'boolean')
      return reject(`"${key}" is not a boolean (${kindOf(value)}) for repository ${id}`);
    flags[key] = typeof value === 'boolean' ? value : null;
  }
  return {
    ok: true,
    value: {
      isOutOfSync: flags['isOutOfSync'] ?? null,
      isOutdated: flags['isOutdated'] ?? null,
      isOutOfOrder: flags['isOutOfOrder'] ?? null,
    },
  };
}

/**
 * Veeam documents `sizeLimitGB` only as "the size limit in GB" (REST) and "a soft limit in GB" with
 * permitted values 1024 to 10737418240 (PowerShell); no source says 10^9 or 2^30. Those bounds are powers
 * of 1024, and VB365 runs on Windows, which counts a GB as 2^30 bytes: taken as 2^30.
 */
export const BYTES_PER_SIZE_LIMIT_GB = 2 ** 30;

/**
 * An object storage: embedded in a v8 repository, or an item of the v6/v7 listing. Only the listing's
 * items need an ID (repositories point to them by it): the v8 document requires none of the embedded fields.
 */
export function parseObjectStorage(item: unknown, embedded = false): ItemResult<ObjectStorage> {
  if (!isObject(item)) return reject(`expected an object storage object, got ${kindOf(item)}`);
  const id = uuid(item['id']);
  if (id === undefined && !embedded) return reject(`the object storage "id" is not a UUID (${kindOf(item['id'])})`);
  const used = byteCount(item, 'usedSpaceBytes');
  if (!used.ok) return used;
  const free = byteCount(item, 'freeSpaceBytes');
  if (!free.ok) return free;
  const limitGb = byteCount(item, 'sizeLimitGB');
  if (!limitGb.ok) return limitGb;
  const enabled = item['sizeLimitEnabled'];
  if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean')
    return reject(`"sizeLimitEnabled" is not a boolean (${kindOf(enabled)}) for object storage ${id ?? ''}`);
  const sizeLimitBytes = enabled === true && limitGb.value !== null ? limitGb.value * BYTES_PER_SIZE_LIMIT_GB : null;
  if (sizeLimitBytes !== null && !Number.isSafeInteger(sizeLimitBytes))
    return reject(`"sizeLimitGB" is too large for object storage ${id ?? ''}`);
  return { ok: true, value: { id: id ?? '', usedSpaceBytes: used.value, freeSpaceBytes: free.value, sizeLimitBytes } };
}

export const objectStorageItems: ItemRules<ObjectStorage> = {
  parse: parseObjectStorage,
  idOf: (storage) => storage.id,
};

export const organizationItems: ItemRules<Organization> = {
  parse: parseOrganization,
  idOf: (organization) => organization.id,
};

export const usedRepositoryItems: ItemRules<UsedRepository> = {
  parse: parseUsedRepository,
  idOf: (repository) => repository.repositoryId,
};

export const backupRepositoryItems: ItemRules<BackupRepository> = {
  parse: parseBackupRepository,
  idOf: (repository) => repository.id,
};

/** `/v6/backuprepositories/<uuid>` (any case, maybe absolute or with a query): the last path segment. */
function repositoryIdFromLinks(links: unknown): string | undefined {
  if (!isObject(links) || !isObject(links['backupRepository'])) return undefined;
  const href = links['backupRepository']['href'];
  if (typeof href !== 'string') return undefined;
  const path = href.split(/[?#]/, 1)[0] ?? '';
  return uuid(path.replace(/\/+$/, '').split('/').pop());
}

/**
 * Byte counts are int64 in the API. Null or absent means "not reported"; anything that is not a
 * non-negative integer JavaScript can hold exactly (below 2^53) is refused rather than rounded.
 */
function byteCount(item: Json, key: string): ItemResult<number | null> {
  const value = item[key];
  if (value === null || value === undefined) return { ok: true, value: null };
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return reject(`"${key}" is not a byte count (${kindOf(value)}${typeof value === 'number' ? ` ${value}` : ''})`);
  }
  return { ok: true, value };
}

function uuid(value: unknown): string | undefined {
  return typeof value === 'string' && UUID_PATTERN.test(value) ? value.toLowerCase() : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function reject(reason: string): { readonly ok: false; readonly reason: string } {
  return { ok: false, reason };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fractional number';
  return `a ${typeof value}`;
}
