/** Validation of answer items: every field the exporter uses, and every way it can be wrong. */
import { describe, expect, it } from 'vitest';
import { SHORTEST_TOKEN_LIFETIME_SECONDS, parsePage, parseTokenAnswer } from '../../src/vb365/parse.js';
import { parseBackupRepository, parseObjectStorage } from '../../src/facts/backup-repositories/parse.js';
import { parseHealth } from '../../src/facts/health.js';
import { parseLicense } from '../../src/facts/license.js';
import { parseOrganization } from '../../src/facts/organizations/listing.js';
import { parseUsedRepository } from '../../src/facts/organizations/used-repositories.js';
import { parseServiceInstance } from '../../src/facts/service-instance.js';
import { UNREPORTED_STATE } from '../support/vb365-values.js';

const REPO = 'cfe34111-3331-45c0-babf-0be32e030444';
const base = {
  usedSpaceBytes: 0,
  localCacheUsedSpaceBytes: 3473408,
  objectStorageUsedSpaceBytes: 2499432773,
  isAvailable: true,
  details: '',
  _links: { backupRepository: { href: `/v6/backuprepositories/${REPO}` } },
};

describe('used repository items', () => {
  it('reads the documented item, taking the ID from the link', () => {
    expect(parseUsedRepository(base)).toEqual({
      ok: true,
      value: {
        repositoryId: REPO,
        usedSpaceBytes: 0,
        localCacheUsedSpaceBytes: 3473408,
        objectStorageUsedSpaceBytes: 2499432773,
        isAvailable: true,
        details: '',
        protectedObjectsCount: null,
      },
    });
  });

  it("reads v8's protectedObjectsCount, and refuses one that is no count", () => {
    expect(parseUsedRepository({ ...base, protectedObjectsCount: 42 })).toMatchObject({
      ok: true,
      value: { protectedObjectsCount: 42 },
    });
    expect(parseUsedRepository({ ...base, protectedObjectsCount: '42' })).toMatchObject({ ok: false });
  });

  it('prefers v8 repositoryId, lower-cases IDs, accepts any case and absolute links', () => {
    const upper = REPO.toUpperCase();
    expect(parseUsedRepository({ ...base, repositoryId: upper, _links: {} })).toMatchObject({
      ok: true,
      value: { repositoryId: REPO },
    });
    expect(
      parseUsedRepository({
        ...base,
        _links: { backupRepository: { href: `https://h:4443/V7/BackupRepositories/${upper}/?x=1` } },
      }),
    ).toMatchObject({
      ok: true,
      value: { repositoryId: REPO },
    });
  });

  it('keeps null and absent byte counts as null (no sample), never 0', () => {
    const result = parseUsedRepository({ ...base, usedSpaceBytes: null, localCacheUsedSpaceBytes: undefined });
    expect(result).toMatchObject({ ok: true, value: { usedSpaceBytes: null, localCacheUsedSpaceBytes: null } });
  });

  it.each([
    ['a string byte count', { usedSpaceBytes: '100' }, '"usedSpaceBytes" is not a byte count (a string)'],
    [
      'a negative byte count',
      { localCacheUsedSpaceBytes: -1 },
      '"localCacheUsedSpaceBytes" is not a byte count (a number -1)',
    ],
    [
      'a fractional byte count',
      { objectStorageUsedSpaceBytes: 1.5 },
      '"objectStorageUsedSpaceBytes" is not a byte count (a fractional number 1.5)',
    ],
    [
      'a count above 2^53',
      { usedSpaceBytes: 2 ** 53 },
      '"usedSpaceBytes" is not a byte count (a number 9007199254740992)',
    ],
    [
      'isAvailable as a string',
      { isAvailable: 'true' },
      `"isAvailable" is not a boolean (a string) for repository ${REPO}`,
    ],
    [
      'no repository ID',
      { _links: { backupRepository: { href: '/v6/backuprepositories/' } } },
      'no repository ID: neither "repositoryId" nor "_links.backupRepository.href" holds a UUID',
    ],
    [
      'no links at all',
      { _links: null },
      'no repository ID: neither "repositoryId" nor "_links.backupRepository.href" holds a UUID',
    ],
  ])('rejects %s', (_name, change, reason) => {
    expect(parseUsedRepository({ ...base, ...change })).toEqual({ ok: false, reason });
  });

  it('rejects a non-object item', () => {
    expect(parseUsedRepository([1])).toEqual({ ok: false, reason: 'expected an object, got an array' });
    expect(parseUsedRepository(null)).toEqual({ ok: false, reason: 'expected an object, got null' });
  });

  it('accepts the largest exact integer', () => {
    expect(parseUsedRepository({ ...base, usedSpaceBytes: 2 ** 53 - 1 })).toMatchObject({
      ok: true,
      value: { usedSpaceBytes: 9007199254740991 },
    });
  });
});

describe('pages', () => {
  it('needs results to be an array', () => {
    expect(() => parsePage({ offset: 0 })).toThrow('expected "results" to be an array, got nothing');
    expect(() => parsePage({ results: {} })).toThrow('expected "results" to be an array, got an object');
    expect(() => parsePage([])).toThrow('expected a page object, got an array');
  });

  it('reads the next link when present', () => {
    expect(parsePage({ results: [], _links: { next: { href: '/v6/x?offset=2' } } }).nextHref).toBe('/v6/x?offset=2');
    expect(parsePage({ results: [], _links: { self: { href: '/v6/x' } } }).nextHref).toBeUndefined();
    expect(() => parsePage({ results: [], _links: { next: { href: 5 } } })).toThrow('"_links.next.href"');
  });
});

describe('organizations and backup repositories', () => {
  it('needs a UUID ID; a missing name is empty', () => {
    expect(parseOrganization({ id: 'x' })).toEqual({ ok: false, reason: '"id" is not a UUID (a string)' });
    expect(parseOrganization({ id: REPO })).toEqual({ ok: true, value: { id: REPO, name: '' } });
  });

  it('reads capacity and free space, null when not reported', () => {
    expect(parseBackupRepository({ id: REPO, name: 'R', capacityBytes: 10, freeSpaceBytes: null })).toEqual({
      ok: true,
      value: { id: REPO, name: 'R', capacityBytes: 10, freeSpaceBytes: null, ...UNREPORTED_STATE },
    });
    expect(parseBackupRepository({ id: REPO, capacityBytes: -5 })).toMatchObject({ ok: false });
  });

  it('reads the state flags (null where absent) and the object storage, embedded (v8) or by ID (v6/v7)', () => {
    const storage = '11111111-2222-4333-8444-555555555555';
    expect(
      parseBackupRepository({
        id: REPO,
        isOutOfSync: true,
        isOutdated: false,
        outOfOrderReason: 'invalid state',
        objectStorage: { id: storage, usedSpaceBytes: 5, freeSpaceBytes: 7, sizeLimitEnabled: true, sizeLimitGB: 2 },
      }),
    ).toMatchObject({
      ok: true,
      value: {
        isOutOfSync: true,
        isOutdated: false,
        isOutOfOrder: null,
        outOfOrderReason: 'invalid state',
        objectStorage: { id: storage, usedSpaceBytes: 5, freeSpaceBytes: 7, sizeLimitBytes: 2 * 2 ** 30 },
        objectStorageId: undefined,
      },
    });
    expect(parseBackupRepository({ id: REPO, objectStorageId: storage.toUpperCase() })).toMatchObject({
      ok: true,
      value: { objectStorageId: storage, objectStorage: undefined },
    });
    // A limit that is not enabled is no limit: no sample, never a made-up one.
    expect(
      parseObjectStorage({ id: storage, usedSpaceBytes: 1, sizeLimitEnabled: false, sizeLimitGB: 1024 }),
    ).toMatchObject({ ok: true, value: { sizeLimitBytes: null, freeSpaceBytes: null } });
    expect(parseBackupRepository({ id: REPO, isOutOfOrder: 'yes' })).toMatchObject({ ok: false });
    expect(parseBackupRepository({ id: REPO, objectStorage: { usedSpaceBytes: -1 } })).toMatchObject({ ok: false });
    // The v8 document requires no field of the embedded object storage, its ID included.
    expect(parseBackupRepository({ id: REPO, objectStorage: { usedSpaceBytes: 5 } })).toMatchObject({
      ok: true,
      value: { objectStorage: { usedSpaceBytes: 5, sizeLimitBytes: null } },
    });
    expect(parseObjectStorage({ usedSpaceBytes: 5 })).toMatchObject({ ok: false }); // a listing item needs its ID
  });
});

describe('server answers', () => {
  it('reads ServiceInstance, and refuses one without a version', () => {
    expect(parseServiceInstance({ version: '8.0.2.159', installationId: 'x' })).toEqual({ version: '8.0.2.159' });
    expect(() => parseServiceInstance({})).toThrow(/no "version"/);
  });

  it('reads a v8 licence and a v6 one (expirationDate), null for figures not reported', () => {
    expect(
      parseLicense({
        status: 'Valid',
        type: 'Subscription',
        package: 'Suite',
        totalNumber: 500,
        usedNumber: 238,
        newNumber: 3,
        licenseExpires: '2027-01-01T00:00:00Z',
        gracePeriodExpires: '2027-01-31T00:00:00Z',
      }),
    ).toEqual({
      status: 'Valid',
      type: 'Subscription',
      package: 'Suite',
      totalUsers: 500,
      usedUsers: 238,
      newUsers: 3,
      expiresMs: Date.UTC(2027, 0, 1),
      gracePeriodExpiresMs: Date.UTC(2027, 0, 31),
    });
    expect(parseLicense({ status: 'Expired', expirationDate: '2026-06-30T12:00:00Z' })).toMatchObject({
      expiresMs: Date.UTC(2026, 5, 30, 12),
      gracePeriodExpiresMs: null,
      totalUsers: null,
      package: '',
    });
    expect(() => parseLicense({ usedNumber: '238' })).toThrow(/"usedNumber" is not a count/);
    expect(() => parseLicense({ licenseExpires: 'soon' })).toThrow(/"licenseExpires" is not a date/);
  });

  it('reads Health with its entries in key order, and refuses an unknown status', () => {
    expect(
      parseHealth({
        status: 'Unhealthy',
        entries: {
          NatsServer: { status: 'Healthy', description: '' },
          ConfigurationDatabase: { status: 'Unhealthy', description: 'Connection refused' },
        },
      }),
    ).toEqual({
      healthy: false,
      components: [
        { name: 'ConfigurationDatabase', healthy: false },
        { name: 'NatsServer', healthy: true },
      ],
    });
    expect(() => parseHealth({ status: 'Degraded' })).toThrow(/neither Healthy nor Unhealthy/);
  });
});

describe('token answers', () => {
  const answer = (expiresIn: unknown): unknown => ({ access_token: 'a', refresh_token: 'r', expires_in: expiresIn });

  it('accepts a lifetime of 30 s or more, and refuses a shorter one as an invalid answer', () => {
    expect(SHORTEST_TOKEN_LIFETIME_SECONDS).toBe(30);
    expect(parseTokenAnswer(answer(30))).toEqual({ accessToken: 'a', refreshToken: 'r', expiresInSeconds: 30 });
    for (const expiresIn of [29.999, 1, 0.001]) {
      expect(() => parseTokenAnswer(answer(expiresIn))).toThrow(
        `the token answer's expires_in (${expiresIn} s) is shorter than the 30 s a token must live to be used`,
      );
    }
    for (const expiresIn of [0, -1, '3600', null]) {
      expect(() => parseTokenAnswer(answer(expiresIn))).toThrow('lacks access_token or a positive expires_in');
    }
  });
});
