/**
 * Property tests of the path from a VB365 answer to /metrics: parse (src/vb365/parse.ts, and the real
 * client's listing over an in-memory dispatcher) -> nextState -> renderExposition. Inputs are arbitrary
 * values and the simulator's real v6/v8 answers with fields dropped, retyped, inflated or nested in
 * garbage. Properties: nothing but an invalid_answer (or invalid_json) error escapes towards the poller;
 * every sample is a finite, non-negative number that was in the input (byte gauges) or 0/1; label values
 * are escaped so every line passes a strict exposition parser (promtool's verdict on a large sample is in
 * test/integration/fuzz-promtool.test.ts).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { renderExposition, renderExpositionBuffer, renderExpositionInPieces } from '../../src/metrics/exposition.js';
import { SEED_ORGANIZATION_IDS } from 'vb365-simulator';
import { initialState } from '../../src/store/next-state.js';
import type { ServerState } from '../../src/store/types.js';
import { describeError } from '../../src/vb365/errors.js';
import { PagedListing } from '../../src/vb365/paging.js';
import { parseBackupRepository, parseOrganization, parsePage, parseUsedRepository } from '../../src/vb365/parse.js';
import {
  HREFS,
  T0,
  UUID,
  bodies,
  checkExposition,
  client,
  configured,
  expectInvalidAnswer,
  isExpectedRefusal,
  leaves,
  mutatedPage,
  never,
  runScenario,
  samplesOf,
  scenario,
  serialize,
  useFuzzWorld,
} from '../support/fuzz-world.js';

useFuzzWorld();

/** Case counts, reported by the last test. */
const runs = { anything: 2000, json: 2000, mutatedItems: 3000, client: 1500, pipeline: 800 };
const durations: Record<string, number> = {};

// ---------------------------------------------------------------------------------------------------

describe('parsing arbitrary values', () => {
  const checkAll = (value: unknown): void => {
    try {
      const page = parsePage(value);
      expect(Array.isArray(page.results)).toBe(true);
      expect(page.nextHref === undefined || (typeof page.nextHref === 'string' && page.nextHref !== '')).toBe(true);
    } catch (error) {
      expectInvalidAnswer(error);
    }
    try {
      // Either listing shape: an array is read whole, anything else as a page.
      new PagedListing('/v6/Organizations', (href) => href).read(value);
    } catch (error) {
      expectInvalidAnswer(error);
    }
    for (const parse of [parseUsedRepository, parseBackupRepository, parseOrganization]) {
      const result = parse(value);
      if (!result.ok) expect(typeof result.reason).toBe('string');
    }
  };

  it('fc.anything: parsePage throws invalid_answer errors only, item parsers never throw', () => {
    const started = performance.now();
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true, withSparseArray: true }), checkAll),
      { numRuns: runs.anything },
    );
    durations['anything'] = performance.now() - started;
  });

  it('fc.jsonValue, also as page results and as items: the same', () => {
    const started = performance.now();
    const value = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(value, fc.array(value, { maxLength: 5 }), (single, items) => {
        checkAll(single);
        checkAll({ results: items, _links: { next: { href: single } } });
        for (const item of items) checkAll(item);
      }),
      { numRuns: runs.json },
    );
    durations['json'] = performance.now() - started;
  });
});

describe('mutated real answers', () => {
  it('an accepted item holds only byte counts from the input (safe, non-negative integers or null) and a UUID from the input', () => {
    const started = performance.now();
    fc.assert(
      fc.property(mutatedPage(), (page) => {
        let results: readonly unknown[];
        try {
          results = parsePage(page).results;
        } catch (error) {
          expectInvalidAnswer(error);
          return;
        }
        for (const item of results) {
          const result = parseUsedRepository(item);
          if (!result.ok) continue;
          const { numbers, strings } = leaves(item);
          const { repositoryId, usedSpaceBytes, localCacheUsedSpaceBytes, objectStorageUsedSpaceBytes, isAvailable } =
            result.value;
          expect(repositoryId).toMatch(UUID);
          expect([...strings].some((found) => found.toLowerCase().includes(repositoryId))).toBe(true);
          for (const count of [usedSpaceBytes, localCacheUsedSpaceBytes, objectStorageUsedSpaceBytes]) {
            if (count === null) continue;
            expect(Number.isSafeInteger(count) && count >= 0).toBe(true);
            expect(numbers.has(count)).toBe(true);
          }
          expect(typeof isAvailable).toBe('boolean');
        }
      }),
      { numRuns: runs.mutatedItems },
    );
    durations['mutatedItems'] = performance.now() - started;
  });

  it('the real client refuses a mutated answer with invalid_answer (or invalid_json) only, never another error', async () => {
    const started = performance.now();
    const organization = SEED_ORGANIZATION_IDS.contoso;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutatedPage(),
          fc.jsonValue({ maxDepth: 3 }),
          fc.constantFrom(...HREFS).map((href) => ({ results: [], _links: { next: { href } } })),
        ),
        async (page) => {
          bodies.set(organization, serialize(page));
          try {
            await client.usedRepositories(organization, never);
          } catch (error) {
            if (!isExpectedRefusal(error))
              throw new Error(
                `the client threw ${describeError(error)} (${(error as Error).name}) for ${serialize(page).slice(0, 300)}`,
              );
          }
        },
      ),
      { numRuns: runs.client },
    );
    durations['client'] = performance.now() - started;
  });
});

describe('parse -> nextState -> renderExposition', () => {
  it('every line parses, every sample is finite, non-negative and from the input (or 0/1), labels round-trip', async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(scenario, fc.nat({ max: 4096 }), async (input, sizeHint) => {
        const { state, text: body } = await runScenario(input);
        checkExposition(input, body);
        // What /metrics serves: the same text as UTF-8 bytes, whatever the size hint.
        expect(renderExpositionBuffer([state], configured(state), sizeHint).equals(Buffer.from(body, 'utf8'))).toBe(
          true,
        );
        const pieces = [...renderExpositionInPieces([state], configured(state))].flat();
        expect(Buffer.concat(pieces).equals(Buffer.from(body, 'utf8'))).toBe(true);
      }),
      { numRuns: runs.pipeline },
    );
    durations['pipeline'] = performance.now() - started;
  });

  it('the served bytes equal the text when a piece written as ASCII is not (an ID from a state built by hand)', () => {
    const repositories = [
      {
        repositoryId: 'répö-🦆',
        usedSpaceBytes: 2 ** 53 - 1,
        localCacheUsedSpaceBytes: 0,
        objectStorageUsedSpaceBytes: null,
        isAvailable: true,
        details: '',
        protectedObjectsCount: null,
      },
    ];
    const organizations = ['ü-1', 'plain', '東京'].map((id) => ({
      id,
      name: id,
      pollSuccess: true,
      lastSuccessMs: T0 + 0.5,
      lastError: undefined,
      repositories,
    }));
    const state: ServerState = { ...initialState('s'), cycles: 1, up: true, organizations };
    const text = renderExposition([state], configured(state));
    expect(text).toContain('organization_id="東京",repository_id="répö-🦆"} 9007199254740991\n');
    for (const sizeHint of [0, 100])
      expect(renderExpositionBuffer([state], configured(state), sizeHint).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('the served bytes equal the text across buffer boundaries (several MiB of multi-byte names)', () => {
    // Thousands of organizations with names of 1-, 2-, 3- and 4-byte characters and lone surrogates.
    const names = ['a"b\\c\nd', 'München ü', '東京 リポジトリ', '🦆🦆🦆', '\ud800x\udfff', 'x'.repeat(700)];
    const repositories = [1, 2, 3].map((n) => ({
      repositoryId: `00000000-0000-4000-8000-00000000000${n}`,
      usedSpaceBytes: n * 1_000_000_007,
      localCacheUsedSpaceBytes: null,
      objectStorageUsedSpaceBytes: n,
      isAvailable: n !== 2,
      details: names[n] ?? '',
      protectedObjectsCount: null,
    }));
    const organizations = Array.from({ length: 6000 }, (_, index) => ({
      id: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
      name: `${names[index % names.length] ?? ''}${index}`,
      pollSuccess: index % 7 !== 0,
      lastSuccessMs: T0,
      lastError: undefined,
      repositories,
    }));
    const big: ServerState = { ...initialState('big "server"'), cycles: 1, up: true, organizations };
    const text = renderExposition([big], configured(big));
    const utf8 = Buffer.from(text, 'utf8');
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 1024 * 1024);
    for (const sizeHint of [
      0,
      1000,
      Buffer.byteLength(text) - 1,
      Buffer.byteLength(text),
      2 * Buffer.byteLength(text),
    ]) {
      expect(renderExpositionBuffer([big], configured(big), sizeHint).equals(utf8), `size hint ${sizeHint}`).toBe(true);
    }
    // What /metrics compresses: the same bytes in pieces of about 1 MiB, several of them here.
    const pieces = [...renderExpositionInPieces([big], configured(big))].flat();
    expect(pieces.length).toBeGreaterThan(3);
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThanOrEqual(1024 * 1024);
    expect(Buffer.concat(pieces).equals(utf8)).toBe(true);
    expect(samplesOf(text).filter((sample) => sample.name === 'veeam_vb365_repository_info')).toHaveLength(18_000);
  });

  it('the strict reader does reject broken lines (the checks can fail)', () => {
    expect(() => samplesOf('veeam_vb365_up{server="a"b"} 1\n')).toThrow(/line 1: expected , or } after the label/);
    expect(() => samplesOf('veeam_vb365_up{server="a\nb"} 1\n')).toThrow(/line 1: unterminated value/);
    expect(() => samplesOf('veeam_vb365_up{server="a\\x"} 1\n')).toThrow(/line 1: bad escape/);
    expect(() => samplesOf('veeam_vb365_up{server="a"} 1')).toThrow(/newline/);
    expect(samplesOf('veeam_vb365_up{server="a\\"\\\\\\n"} 1\n')[0]?.labels['server']).toBe('a"\\\n');
  });
});

afterAll(() => {
  const total = Object.values(runs).reduce((sum, count) => sum + count, 0);
  console.log(
    `fuzz cases: ${JSON.stringify(runs)} = ${total}; ms: ${JSON.stringify(Object.fromEntries(Object.entries(durations).map(([k, v]) => [k, Math.round(v)])))}`,
  );
});
