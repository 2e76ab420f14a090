/**
 * The chart's values.schema.json and the exporter's configuration schema agree on every server
 * setting: a value the chart's schema accepts renders (through the real helm template) into a server
 * entry the exporter's schema accepts, and a value the exporter accepts is accepted by the chart
 * wherever Helm values can carry it. Every difference the chart cannot express is listed with why.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SERVER_SETTINGS, TOP_LEVEL_SETTINGS, serverSchema, type ServerKey } from '../../src/config/schema.js';
import { chartDir, installHelm, run } from '../support/helm.js';

/** Each exporter server setting and the chart value that sets it, or how the chart sets it instead. */
const CHART_VALUE: Readonly<Record<ServerKey, string | { readonly renderedFrom: string }>> = {
  name: 'name',
  url: 'url',
  api_version: 'apiVersion',
  username: 'username',
  // The chart writes the password to a Secret and mounts it: the exporter only ever sees password_file.
  password: { renderedFrom: 'password or existingSecret' },
  password_file: { renderedFrom: 'password or existingSecret' },
  organizations: 'organizations',
  ca_file: { renderedFrom: 'ca.secretName or ca.configMapName' },
  tls_insecure: 'tlsInsecure',
  poll_interval: 'pollInterval',
  poll_concurrency: 'pollConcurrency',
  request_timeout: 'requestTimeout',
  max_response_bytes: 'maxResponseBytes',
  collection: 'collection',
  collection_verification_cycles: 'collectionVerificationCycles',
};
/** Chart server values that are about Kubernetes objects, not exporter settings. */
const CHART_ONLY = ['password', 'existingSecret', 'existingSecretKey', 'ca'];

const ORG = '7665cf30-ee89-4d0d-a343-2776da77ed79';
/** Values a user might write for any setting: bounds, types, durations, versions, lists. */
const SAMPLES: readonly unknown[] = [
  ...[-1, 0, 1, 4, 255, 256, 257, 600, 601, 1023, 1024, 86_400, 86_401, 1_073_741_824, 1_073_741_825, 1.5],
  ...['', ' ', '0', '1', '30s', '5m', '1h30m', '1d', '1d1s', '10m', '11m', '5 min', '1.5h', '-1'],
  ...['v6', 'v7', 'v8', 'v9', 'V8', 'auto', 'true', 'yes', 'svc-monitoring', 'tenant-b'],
  ...['per_organization', 'per_repository', 'per_tenant', 'PER_REPOSITORY'],
  ...['https://vb365.example.com:4443', 'http://vb365:4443/proxy', 'ftp://vb365:4443', 'https://vb365:4443/v8'],
  ...[true, false, [], [ORG], [ORG.toUpperCase(), ORG], ['contoso'], [''], null],
];

/**
 * What the chart accepts and the exporter refuses at start-up, each because JSON Schema (or Go's RE2
 * patterns, which Helm uses) cannot say it; the exporter's one-line message names the setting then.
 */
const KNOWN_LOOSER_IN_CHART: Readonly<Partial<Record<ServerKey, readonly unknown[]>>> = {
  // Duration bounds on strings need arithmetic: '0' is below a second, '1d1s' beyond the day.
  poll_interval: ['0', '1d1s'],
  request_timeout: ['0', '1h30m', '1d', '1d1s', '11m'],
  // "Not ending in /v6, /v7 or /v8" needs a look-ahead, which RE2 does not have. An empty URL is the
  // chart's placeholder: its render check fails with "servers[0].url is required".
  url: ['https://vb365:4443/v8', ''],
};
/** What the exporter accepts and the chart refuses, because the chart needs more of it. */
const KNOWN_STRICTER_IN_CHART: Readonly<Partial<Record<ServerKey, readonly unknown[]>>> = {
  // The name becomes part of Secret keys and mount paths, which Kubernetes restricts.
  name: [
    '5 min',
    '-1',
    'https://vb365.example.com:4443',
    'http://vb365:4443/proxy',
    'ftp://vb365:4443',
    'https://vb365:4443/v8',
  ],
};

type Values = Record<string, unknown>;
const chartSchema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as {
  properties: { servers: { items: { properties: Record<string, unknown> } } } & Record<string, { enum?: string[] }>;
};
const ajv = new Ajv({ strict: false, allErrors: false });
const validateValues = ajv.compile(chartSchema);
const baseServer = { name: 'base', url: 'https://vb365.example.com:4443', username: 'svc', password: 'ci-Secret-1' };

function valuesWith(server: Values): Values {
  return { image: { repository: 'vb365-exporter' }, shards: 1, servers: [server] };
}

function chartAccepts(chartKey: string, value: unknown): boolean {
  return validateValues(valuesWith({ ...baseServer, [chartKey]: value }));
}

/** The exporter's schema on a server entry as the file (or the chart) writes it. */
function exporterAccepts(entry: Values): boolean {
  return serverSchema.safeParse(entry).success;
}

let helm = '';
beforeAll(async () => {
  helm = await installHelm();
}, 120_000);

describe('values.schema.json and the exporter schema', () => {
  it('name a chart value (or how the chart renders it) for every exporter server setting, and nothing else', () => {
    expect(Object.keys(CHART_VALUE).sort()).toEqual(Object.keys(SERVER_SETTINGS).sort());
    const direct = Object.values(CHART_VALUE).filter((value): value is string => typeof value === 'string');
    expect(Object.keys(chartSchema.properties.servers.items.properties).sort()).toEqual(
      [...new Set([...direct, ...CHART_ONLY])].sort(),
    );
  });

  it('accept the same values where Helm values can carry them', () => {
    const disagreements: string[] = [];
    for (const [key, chartKey] of Object.entries(CHART_VALUE) as [ServerKey, string | object][]) {
      if (typeof chartKey !== 'string') continue;
      for (const value of SAMPLES) {
        const chart = chartAccepts(chartKey, value);
        const exporter = exporterAccepts({ ...baseServer, [key]: value });
        const looser = KNOWN_LOOSER_IN_CHART[key]?.includes(value) ?? false;
        // Strings for numbers and booleans are for environment variables; Helm values are typed.
        const typedForHelm = chartTypes(chartKey).includes(jsonType(value));
        if (chart && !exporter && !looser)
          disagreements.push(`${chartKey}=${JSON.stringify(value)}: chart yes, exporter no`);
        const stricter = KNOWN_STRICTER_IN_CHART[key]?.includes(value) ?? false;
        if (!chart && exporter && typedForHelm && value !== null && !stricter)
          disagreements.push(`${chartKey}=${JSON.stringify(value)}: exporter yes, chart no`);
        if (looser && (!chart || exporter))
          disagreements.push(`${chartKey}=${JSON.stringify(value)}: no longer looser`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('offer the same log levels and formats', () => {
    for (const [chartKey, setting] of [
      ['logLevel', TOP_LEVEL_SETTINGS.log_level],
      ['logFormat', TOP_LEVEL_SETTINGS.log_format],
    ] as const) {
      expect(chartSchema.properties[chartKey]?.enum, chartKey).toEqual(setting.value.options);
    }
  });

  it('render every value the chart accepts into a server entry the exporter accepts (real helm template)', async () => {
    const servers: Values[] = [];
    const expectedValid: boolean[] = [];
    for (const [key, chartKey] of Object.entries(CHART_VALUE) as [ServerKey, string | object][]) {
      if (typeof chartKey !== 'string' || chartKey === 'name') continue;
      for (const value of SAMPLES) {
        if (!chartAccepts(chartKey, value)) continue;
        servers.push({ ...baseServer, name: `s${servers.length}`, [chartKey]: value });
        expectedValid.push(!(KNOWN_LOOSER_IN_CHART[key]?.includes(value) ?? false));
      }
    }
    expect(servers.length).toBeGreaterThan(40);
    const dir = await mkdtemp(join(tmpdir(), 'vb365-chart-agreement-'));
    const valuesFile = join(dir, 'values.yaml');
    // An empty URL fails the chart's own render check (with a message), not the schema: left out.
    const renderable = servers.filter((server) => server['url'] !== '');
    // JSON, because Helm reads YAML 1.1, where an unquoted yes is a boolean.
    await writeFile(valuesFile, JSON.stringify({ servers: renderable }));
    const result = await run(helm, ['template', 'rel', chartDir, '--values', valuesFile], 60_000);
    expect(result.code, result.stderr).toBe(0);
    const configMap = parseAllDocuments(result.stdout)
      .map((doc) => doc.toJS() as { kind?: string; data?: Record<string, string> } | null)
      .find((object) => object?.data?.['config.yaml'] !== undefined);
    const rendered = (parse(configMap?.data?.['config.yaml'] ?? '') as { servers: Values[] }).servers;
    expect(rendered).toHaveLength(renderable.length);
    const refused = rendered
      .map((entry, index) => ({ entry, valid: expectedValid[servers.indexOf(renderable[index] as Values)] }))
      .filter(({ entry, valid }) => valid === true && !exporterAccepts(entry))
      .map(({ entry }) => JSON.stringify(entry));
    expect(refused).toEqual([]);
  }, 90_000);
});

/** The JSON types the chart's schema declares for a server value (its own and its oneOf branches). */
function chartTypes(chartKey: string): string[] {
  const property = chartSchema.properties.servers.items.properties[chartKey] as {
    type?: string;
    oneOf?: { type?: string }[];
  };
  return [property.type, ...(property.oneOf ?? []).map((branch) => branch.type)].filter(
    (type): type is string => type !== undefined,
  );
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return value === null ? 'null' : typeof value;
}
