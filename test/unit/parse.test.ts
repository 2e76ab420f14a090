/** Validation of answer items: every field the exporter uses, and every way it can be wrong. */
import { describe, expect, it } from 'vitest';
import {
  SHORTEST_TOKEN_LIFETIME_SECONDS,
  parseBackupRepository,
  parseOrganization,
  parsePage,
  parseTokenAnswer,
  parseUsedRepository,
} from '../../src/vb365/parse.js';

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
      },
    });
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
      value: { id: REPO, name: 'R', capacityBytes: 10, freeSpaceBytes: null },
    });
    expect(parseBackupRepository({ id: REPO, capacityBytes: -5 })).toMatchObject({ ok: false });
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
