/**
 * The fuzz tests' world, shared by the unit fuzz tests (test/unit/fuzz.test.ts) and the promtool check of
 * a large fuzzed exposition (test/integration/fuzz-promtool.test.ts): arbitraries of weird values and
 * mutated real answers of the simulator, the real client over a MockAgent answering the fuzzed bodies,
 * and whole scenarios run through the client, nextState and renderExposition.
 */
import fc from 'fast-check';
import { concurrencyLimit } from '../../src/vb365/concurrency-limit.js';
import { pino } from 'pino';
import { Agent, MockAgent, request } from 'undici';
import { afterAll, beforeAll, expect } from 'vitest';
import { startSimulator } from 'vb365-simulator';
import { systemClock } from '../../src/clock.js';
import type { ConfiguredServer } from '../../src/metrics/exposition.js';
import { renderExposition } from './render.js';
import { backupRepositoriesRoute, backupRepositoryItems } from '../../src/facts/backup-repositories/parse.js';
import { readUsedRepositories } from '../../src/facts/organizations/used-repositories.js';
import { initialState } from '../../src/store/next-state.js';
import { nextState, type PollOutcome } from './cycles.js';
import type { ServerState } from '../../src/store/types.js';
import { ByteBudget } from '../../src/vb365/byte-budget.js';
import { Vb365Client } from '../../src/vb365/client.js';
import { Vb365Error, describeError, hasCode } from '../../src/vb365/errors.js';
import { parseExposition, type Sample } from './exposition-parser.js';
import { testServerConfig } from './harness.js';

/** Registers the hooks that read the simulator's real answers and start the client (call at a file's top). */
export function useFuzzWorld(): void {
  beforeAll(collectRealAnswers);
  beforeAll(startMockClient);
  afterAll(() => mockAgent.close());
}

// ---------------------------------------------------------------------------------------------------
// Real answers of the simulator, read over TLS once.

const realPages: unknown[] = [];
const realBackupPages: unknown[] = [];

async function collectRealAnswers(): Promise<void> {
  const simulator = await startSimulator({ organizationCount: 2 });
  const dispatcher = new Agent({ connect: { ca: simulator.ca } });
  try {
    for (const version of ['v6', 'v8'] as const) {
      const login = await request(`${simulator.url}/${version}/Token`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          username: simulator.username,
          password: simulator.password,
        }).toString(),
      });
      const { access_token: token } = (await login.body.json()) as { access_token: string };
      const get = async (path: string): Promise<unknown> =>
        (
          await request(`${simulator.url}${path}`, { dispatcher, headers: { authorization: `Bearer ${token}` } })
        ).body.json();
      for (const organization of simulator.data.organizations.keys())
        realPages.push(await get(`/${version}/Organizations/${organization}/UsedRepositories?offset=0&limit=10000`));
      realBackupPages.push(await get(`/${version}/BackupRepositories?offset=0&limit=10000`));
    }
  } finally {
    await dispatcher.close();
    await simulator.close();
  }
  // v6 answers backup repositories as a plain array: wrap it like a v8 page for the v8 client below.
  realBackupPages[0] = { offset: 0, limit: 10000, results: realBackupPages[0], _links: {} };
}

// ---------------------------------------------------------------------------------------------------
// Arbitraries: weird values and mutations of real answers.

const BIG = [
  2 ** 53,
  2 ** 53 + 2,
  2 ** 64,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_VALUE,
  1e300,
  -1,
  -0,
  0.5,
  2499432773.5,
  -9559506944,
];
const NAN_ISH = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '-0',
  '0x10',
  ' 12 ',
  '12abc',
  '9007199254740993',
  '',
  'null',
  'true',
];
export const HREFS = [
  'http://[',
  '//exa mple/x',
  'https://',
  'javascript:alert(1)',
  '?offset=1',
  '#frag',
  '../../../x',
  'https://127.0.0.1:1/v8/x',
  '%',
  '/v8/Organizations/%ZZ/UsedRepositories',
];
const NASTY_TEXT = [
  '"',
  '\\',
  '\n',
  '\r\n',
  '\\n',
  '"}\nveeam_vb365_up{server="x"} 1',
  'München',
  '\u0000',
  '\ud800',
  '🦆',
  '\u2028',
  '# HELP x y',
  '{a="b"}',
];

const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom(...NASTY_TEXT, ...HREFS));

/** Values a field may be replaced with. */
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    ...BIG,
    ...NAN_ISH,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    null,
    true,
    false,
    [],
    {},
  ),
  fc.integer(),
  fc.maxSafeNat(),
  fc.double(),
  text,
  fc.uuid().map((id) => id.toUpperCase()),
  fc.record({ href: text }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything({ maxDepth: 2 }),
);

type Mutation = {
  readonly kind: 'drop' | 'set' | 'duplicate' | 'nest';
  readonly at: number;
  readonly value: unknown;
};
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('drop', 'set', 'set', 'duplicate', 'nest'),
  at: fc.nat(),
  value: weird,
});

/** Every (container, key) pair of a JSON tree, containers first. */
function slots(root: unknown): Array<[Record<string, unknown> | unknown[], string | number]> {
  const found: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        found.push([node, index]);
        walk(child);
      });
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        found.push([node as Record<string, unknown>, key]);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

function mutate(base: unknown, mutations: readonly Mutation[]): unknown {
  const root: { value: unknown } = { value: structuredClone(base) };
  for (const { kind, at, value } of mutations) {
    const all = slots(root);
    const slot = all[at % all.length];
    if (slot === undefined) continue;
    const [container, key] = slot;
    const get = (): unknown => (container as Record<string | number, unknown>)[key];
    const set = (next: unknown): void => void ((container as Record<string | number, unknown>)[key] = next);
    if (kind === 'drop') {
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete container[key];
    } else if (kind === 'set') set(value);
    else if (kind === 'nest') set({ value: get(), garbage: value });
    else if (Array.isArray(container)) container.push(structuredClone(get()));
    else set(structuredClone(get()));
  }
  return root.value;
}

export const mutatedPage = (): fc.Arbitrary<unknown> =>
  fc
    .tuple(fc.nat(), fc.array(mutation, { maxLength: 6 }))
    .map(([index, mutations]) => mutate(realPages[index % realPages.length], mutations));

/** Every number and string anywhere in a value: what a sample or label may have come from. */
export function leaves(
  value: unknown,
  into: { numbers: Set<number>; strings: Set<string> } = { numbers: new Set(), strings: new Set() },
): { numbers: Set<number>; strings: Set<string> } {
  if (typeof value === 'number') into.numbers.add(value);
  else if (typeof value === 'string') into.strings.add(value);
  else if (typeof value === 'object' && value !== null) for (const child of Object.values(value)) leaves(child, into);
  return into;
}

// ---------------------------------------------------------------------------------------------------
// Every sample of a text, read with the strict parser of the text exposition format 0.0.4 (it throws
// naming the first line that is not valid exposition text).

export function samplesOf(body: string): Sample[] {
  return parseExposition(body).flatMap((family) => family.samples);
}

const BYTE_GAUGES = new Set([
  'veeam_vb365_repository_used_space_bytes',
  'veeam_vb365_repository_local_cache_used_space_bytes',
  'veeam_vb365_repository_object_storage_used_space_bytes',
  'veeam_vb365_backup_repository_capacity_bytes',
  'veeam_vb365_backup_repository_free_space_bytes',
]);
const ZERO_ONE = new Set([
  'veeam_vb365_up',
  'veeam_vb365_organization_poll_success',
  'veeam_vb365_repository_available',
  'veeam_vb365_repository_info',
]);
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------------
// The real client over an in-memory dispatcher that answers the fuzzed bodies.

const ORIGIN = 'https://vb365.fuzz:4443';
export const bodies = new Map<string, string>();
let backupBody = '{"results":[]}';
let mockAgent: MockAgent;
export let client: Vb365Client;
export const never = new AbortController().signal;

function startMockClient(): void {
  mockAgent = new MockAgent();
  mockAgent.disableNetConnect();
  const pool = mockAgent.get(ORIGIN);
  const json = { headers: { 'content-type': 'application/json; charset=utf-8' } };
  pool
    .intercept({ path: '/v8/token', method: 'POST' })
    .reply(200, { access_token: 'fuzz-token', refresh_token: 'fuzz-refresh', expires_in: 86_400 }, json)
    .persist();
  pool
    .intercept({ path: () => true, method: 'GET' })
    .reply(
      200,
      (options) => {
        if (/^\/v8\/BackupRepositories/i.test(options.path)) return backupBody;
        const organization = /\/Organizations\/([^/?]+)\/UsedRepositories/i.exec(options.path)?.[1];
        return (organization === undefined ? undefined : bodies.get(organization.toLowerCase())) ?? '{"results":[]}';
      },
      json,
    )
    .persist();
  const server = testServerConfig({ name: 'fuzz', url: ORIGIN, apiVersion: 'v8', pollIntervalSeconds: 300 });
  client = new Vb365Client({
    server,
    dispatcher: mockAgent,
    answerBudget: new ByteBudget(64 * 1024 * 1024),
    limit: concurrencyLimit(4),
    clock: systemClock,
    random: () => 0.5,
    logger: pino({ level: 'silent' }),
    events: { request: () => undefined, rejected: () => undefined, invalidAnswer: () => undefined },
  });
}

/** What may leave the client towards the cycle: an answer refused as a whole, or a body that is not JSON. */
export function isExpectedRefusal(error: unknown): boolean {
  return hasCode(error, 'invalid_answer', 'invalid_json');
}

export function expectInvalidAnswer(error: unknown): void {
  // Called for thousands of fuzz cases: expect() only for the one that fails, to say how.
  if (error instanceof Vb365Error && error.code === 'invalid_answer') return;
  expect(error).toBeInstanceOf(Vb365Error);
  expect((error as Vb365Error).code).toBe('invalid_answer');
}

export function serialize(value: unknown): string {
  // JSON cannot carry NaN, Infinity or undefined; JSON.stringify turns them into null, as a server would have to.
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)) ?? 'null';
}

// ---------------------------------------------------------------------------------------------------
// The whole path: fuzzed organizations (names, answers) and backup repositories -> two cycles -> text.

export interface Scenario {
  readonly serverName: string;
  readonly organizations: ReadonlyArray<{
    readonly id: string;
    readonly name: string;
    readonly page: unknown;
    readonly failsSecond: boolean;
  }>;
  readonly backup: unknown;
}

export const scenario: fc.Arbitrary<Scenario> = fc.record({
  serverName: fc.oneof(
    fc.constant('sim'),
    text.filter((name) => name !== ''),
  ),
  organizations: fc.uniqueArray(
    fc.record({
      id: fc.uuid().map((id) => id.toLowerCase()),
      name: text,
      page: mutatedPage(),
      failsSecond: fc.boolean(),
    }),
    { selector: (organization) => organization.id, maxLength: 5 },
  ),
  backup: fc
    .tuple(fc.nat(), fc.array(mutation, { maxLength: 4 }))
    .map(([index, mutations]) => mutate(realBackupPages[index % realBackupPages.length], mutations)),
});

export const T0 = 1_700_000_000_000;

/** The configuration the exposition reads the poll interval from. */
export const configured = (...states: ServerState[]): ConfiguredServer[] =>
  states.map((state) => ({ name: state.name, pollIntervalSeconds: 300 }));

/** Runs two cycles of the scenario through the real client, nextState and renderExposition. */
export async function runScenario(input: Scenario): Promise<{ state: ServerState; text: string }> {
  bodies.clear();
  for (const organization of input.organizations) bodies.set(organization.id, serialize(organization.page));
  backupBody = serialize(input.backup);
  const listing = { ok: true as const, organizations: input.organizations.map(({ id, name }) => ({ id, name })) };
  let state = initialState(input.serverName);
  for (const cycle of [1, 2]) {
    const atMs = T0 + cycle * 1000;
    const polls = new Map<string, PollOutcome>();
    for (const organization of input.organizations) {
      if (cycle === 2 && organization.failsSecond) {
        polls.set(organization.id, { ok: false, atMs, error: 'HTTP 500' });
        continue;
      }
      try {
        const result = await readUsedRepositories(client, organization.id, never);
        polls.set(organization.id, { ok: true, atMs, repositories: result.items });
      } catch (error) {
        polls.set(organization.id, { ok: false, atMs, error: describeError(error) }); // as the cycle does, whatever it is
      }
    }
    let backupRepositories;
    try {
      backupRepositories = (await client.listing(backupRepositoriesRoute, backupRepositoryItems, never)).items;
    } catch {
      backupRepositories = undefined;
    }
    state = nextState(state, { startedMs: atMs - 500, finishedMs: atMs, listing, backupRepositories, polls }).state;
  }
  return { state, text: renderExposition([state], configured(state)) };
}

/** A string as it arrives in UTF-8: lone surrogates become U+FFFD, as UTF-8 has no other way to say them. */
const onTheWire = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

/**
 * Checks every sample of a scenario's text and names each one that breaks a property: one expect() a
 * scenario, since one per sample cost seconds of CPU over the 800 scenarios.
 */
export function checkExposition(input: Scenario, text: string): void {
  expect(problemsOf(input, text)).toEqual([]);
}

function problemsOf(input: Scenario, text: string): string[] {
  const samples = samplesOf(text);
  const pages = leaves(input.organizations.map((organization) => organization.page));
  const pageStrings = new Set([...pages.strings].map(onTheWire));
  const backup = leaves(input.backup);
  const backupStrings = new Set([...backup.strings].map(onTheWire));
  const names = new Map(input.organizations.map((organization) => [organization.id, onTheWire(organization.name)]));
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const sample of samples) {
    const key = `${sample.name}{${Object.entries(sample.labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    if (seen.has(key)) problems.push(`duplicate series ${key}`);
    seen.add(key);
    if (!(Number.isFinite(sample.value) && sample.value >= 0)) problems.push(`${key}: the value ${sample.rawValue}`);
    if (!/^(0|[1-9]\d*)(\.\d+)?$/.test(sample.rawValue)) problems.push(`${key}: the value written ${sample.rawValue}`);
    if (sample.labels['server'] !== onTheWire(input.serverName))
      problems.push(`${key}: not the server ${input.serverName}`);
    const organizationId = sample.labels['organization_id'];
    if (organizationId !== undefined && !names.has(organizationId)) problems.push(`${key}: an unknown organization`);
    const repositoryId = sample.labels['repository_id'];
    if (repositoryId !== undefined && !UUID.test(repositoryId)) problems.push(`${key}: a repository ID not a UUID`);
    if (sample.name.startsWith('veeam_vb365_repository_') && BYTE_GAUGES.has(sample.name)) {
      if (!pages.numbers.has(sample.value)) problems.push(`${sample.name} ${sample.value} not in the answers`);
    } else if (BYTE_GAUGES.has(sample.name)) {
      if (!backup.numbers.has(sample.value)) problems.push(`${sample.name} ${sample.value} not in the backup listing`);
    } else if (ZERO_ONE.has(sample.name) && ![0, 1].includes(sample.value))
      problems.push(`${key}: ${sample.value}, not 0 or 1`);
    if (sample.name === 'veeam_vb365_repository_info') {
      if (sample.labels['organization_name'] !== names.get(organizationId ?? ''))
        problems.push(`${key}: not the organization's name`);
      const details = sample.labels['details'] ?? '';
      if (!(details === '' || pageStrings.has(details))) problems.push(`${key}: details not in the answers`);
      const repositoryName = sample.labels['repository_name'] ?? '';
      if (!(repositoryName === '' || backupStrings.has(repositoryName)))
        problems.push(`${key}: a repository name not in the backup listing`);
    }
  }
  return problems;
}
