// Checks the Grafana dashboard grafana/vb365-exporter.json:
//  - statically: importable and file-provisionable (no __inputs, a datasource
//    variable used everywhere, fixed uid), unique panel ids, defined variables;
//  - against a real Prometheus (Debian package `prometheus`) that scrapes the
//    real exporter polling three bundled simulators: every panel query and every
//    variable query returns data, the server, licence, repository state and object
//    storage panels show the demo's problems with the numbers and units a person
//    reads (and cope with a v7 server), the job, organization backup and proxy panels
//    show the seed's failed, disabled and overdue jobs, organizations not backed up and
//    offline proxies, counting what the alerts fire for, and the rules in alerts/
//    evaluate without errors;
//  - against a second Prometheus scraping an exporter whose simulator serves 2,000
//    organizations: every panel query returns at most $top series (rows, for a
//    table; lines over the whole range, for a graph) and answers in under 1 s
//    (DASHBOARD_REPORT=1 prints what each query returned and how long it took).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  SEED_JOB_IDS,
  SEED_ORGANIZATION_IDS,
  SEED_PROXY_IDS,
  SEED_REPOSITORY_IDS,
  startSimulator,
} from 'vb365-simulator';
import { serverConfig, startQuietExporter } from '../support/harness.js';
import { startPrometheus as startRealPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DASHBOARD_FILE = path.join(ROOT, 'grafana', 'vb365-exporter.json');
const RULES_FILE = path.join(ROOT, 'alerts', 'vb365-exporter.rules.yml');
const SCRAPE_JOB = 'vb365-exporter';

// ---------------------------------------------------------------------------
// The dashboard model (only the fields these tests read)
// ---------------------------------------------------------------------------

interface DataSourceRef {
  type?: string;
  uid?: string;
}
interface Target {
  refId?: string;
  expr?: string;
  datasource?: DataSourceRef;
  hide?: boolean;
  instant?: boolean;
}
interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: DataSourceRef | null;
  targets?: Target[];
  panels?: Panel[];
  gridPos?: GridPos;
  fieldConfig?: FieldConfig;
  transformations?: Transformation[];
}
interface ValueMapping {
  type: string;
  options: { from?: number | null; to?: number | null; result?: { text?: string } };
}
interface FieldConfig {
  overrides?: { matcher: { id: string; options?: string }; properties: { id: string; value?: unknown }[] }[];
}
interface Transformation {
  id: string;
  options?: {
    exclude?: { names?: string[] };
    renameByName?: Record<string, string>;
    excludeByName?: Record<string, boolean>;
  };
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  regex?: string;
  datasource?: DataSourceRef;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  current?: { value?: string | string[] };
}
interface Dashboard {
  id?: unknown;
  uid?: unknown;
  title?: unknown;
  schemaVersion?: unknown;
  tags?: unknown;
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboardText = readFileSync(DASHBOARD_FILE, 'utf8');
const dashboard = JSON.parse(dashboardText) as Dashboard;
const variables = dashboard.templating.list;

/** All panels, including those nested in collapsed rows. */
function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}
const panels = allPanels(dashboard.panels);
const queryPanels = panels.filter((panel) => panel.type !== 'row');

interface PanelQuery {
  /** "Panel title / refId", for messages. */
  label: string;
  panelTitle: string;
  expr: string;
  /** Grafana sends a range query (a graph over the time range) rather than an instant one. */
  range: boolean;
}
const panelQueries: PanelQuery[] = queryPanels.flatMap((panel) =>
  (panel.targets ?? [])
    .filter((target) => target.hide !== true)
    .map((target) => ({
      label: `${panel.title ?? '?'} / ${target.refId ?? '?'}`,
      panelTitle: panel.title ?? '',
      expr: target.expr ?? '',
      range: target.instant !== true,
    })),
);

function variableQuery(variable: Variable): string {
  return typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
}

// ---------------------------------------------------------------------------
// Template variables
// ---------------------------------------------------------------------------

/** Grafana's three variable syntaxes: $name, [[name:format]], ${name:format}. */
const VARIABLE_REFERENCE = /\$(\w+)|\[\[(\w+?)(?::\w+)?\]\]|\$\{(\w+)(?:\.[^:}]+)?(?::[^}]+)?\}/g;

/**
 * Grafana's built-in variables, with the value the live tests use for them.
 * $__rate_interval would be 4 scrape intervals (4 s here); 30 s makes rate()
 * see every sample of the few seconds the test has scraped.
 */
const BUILT_IN_VALUES: Record<string, string> = {
  __rate_interval: '30s',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};
const OTHER_BUILT_INS = ['__from', '__to', '__dashboard', '__org', '__user', '__timeFilter', 'timeFilter'];

/** Names of the variables referenced in a text; `$1` (a regex group in label_replace) is not one. */
function referencedVariables(text: string): string[] {
  return [...text.matchAll(VARIABLE_REFERENCE)]
    .map((match) => match[1] ?? match[2] ?? match[3] ?? '')
    .filter((name) => !/^\d+$/.test(name));
}

/** Replaces the variables in a query the way Grafana does before sending it to Prometheus. */
function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(VARIABLE_REFERENCE, (match: string, plain?: string, brackets?: string, braces?: string) => {
    const name = plain ?? brackets ?? braces ?? '';
    if (/^\d+$/.test(name)) return match;
    const value = values[name] ?? BUILT_IN_VALUES[name];
    if (value === undefined) throw new Error(`no test value for $${name}`);
    return value;
  });
}

/** A multi-value selection as Grafana writes it into a Prometheus query: regex-escaped, (a|b). */
function formatSelection(values: string[]): string {
  const escaped = values.map((value) => value.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&'));
  return escaped.length === 1 ? (escaped[0] ?? '') : `(${escaped.join('|')})`;
}

// ---------------------------------------------------------------------------
// Static checks
// ---------------------------------------------------------------------------

describe('grafana/vb365-exporter.json', () => {
  it('is importable and file-provisionable as it is', () => {
    expect(dashboard.uid).toBe('vb365-exporter');
    expect(dashboard.id).toBeNull();
    expect(typeof dashboard.title).toBe('string');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36); // Grafana 9.x to 11.x
    expect(dashboard.schemaVersion).toBeLessThanOrEqual(41);
    expect(Array.isArray(dashboard.tags) && dashboard.tags.length > 0).toBe(true);
    // An exported "for sharing" dashboard has __inputs and ${DS_...} references,
    // which only the import dialog resolves; provisioning would leave them broken.
    expect(dashboardText).not.toContain('__inputs');
    expect(dashboardText).not.toContain('${DS_');
  });

  it('has a Prometheus datasource variable, used by every panel, target and query variable', () => {
    const datasource = variables.find((variable) => variable.name === 'datasource');
    expect(datasource?.type).toBe('datasource');
    expect(datasource?.query).toBe('prometheus');
    const expected = { type: 'prometheus', uid: '${datasource}' };
    for (const panel of queryPanels) {
      expect(panel.datasource, `panel "${panel.title ?? '?'}"`).toEqual(expected);
      expect(panel.targets?.length, `panel "${panel.title ?? '?'}" has no query`).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource, `panel "${panel.title ?? '?'}" ${target.refId ?? '?'}`).toEqual(expected);
        expect(target.expr?.trim(), `panel "${panel.title ?? '?'}" ${target.refId ?? '?'}`).toBeTruthy();
      }
    }
    for (const variable of variables.filter((v) => v.type === 'query')) {
      expect(variable.datasource, `variable ${variable.name}`).toEqual(expected);
    }
  });

  it('has query variables for server, organization and repository, multi-select with All', () => {
    for (const name of ['server', 'organization', 'repository']) {
      const variable = variables.find((v) => v.name === name);
      expect(variable?.type, name).toBe('query');
      expect(variable?.multi, name).toBe(true);
      expect(variable?.includeAll, name).toBe(true);
    }
    expect(variableQuery(variables.find((v) => v.name === 'server') ?? { name: '', type: '' })).toBe(
      'label_values(veeam_vb365_up, server)',
    );
  });

  it('has a Top variable (default 10) and an Organization search that narrows the organization list', () => {
    const top = variables.find((v) => v.name === 'top');
    expect(top?.type).toBe('custom');
    expect(top?.current?.value).toBe('10');
    expect(variableQuery(top ?? { name: '', type: '' }).split(',')).toContain('10');
    const search = variables.find((v) => v.name === 'search');
    expect(search?.type).toBe('textbox');
    expect(search?.current?.value).toBe('');
    const organization = variables.find((v) => v.name === 'organization');
    expect(variableQuery(organization ?? { name: '', type: '' })).toContain('organization_name=~"(?i).*$search.*"');
    expect(organization?.allValue).toBe('.*'); // never a regex of every organization ID
  });

  it('gives every panel a title and a unique id, inside the 24-column grid without overlaps', () => {
    const ids = panels.map((panel) => panel.id);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) expect(panel.title?.trim(), `panel ${panel.id ?? '?'}`).toBeTruthy();

    const boxes = panels.map((panel) => ({ title: panel.title ?? '', pos: panel.gridPos }));
    for (const [i, a] of boxes.entries()) {
      expect(a.pos, a.title).toBeDefined();
      if (!a.pos) continue;
      expect(a.pos.x + a.pos.w, a.title).toBeLessThanOrEqual(24);
      for (const b of boxes.slice(i + 1)) {
        if (!b.pos) continue;
        const overlap =
          a.pos.x < b.pos.x + b.pos.w &&
          b.pos.x < a.pos.x + a.pos.w &&
          a.pos.y < b.pos.y + b.pos.h &&
          b.pos.y < a.pos.y + a.pos.h;
        expect(overlap, `"${a.title}" overlaps "${b.title}"`).toBe(false);
      }
    }
  });

  it('merges the queries of a multi-query table into rows, with a column for every query', () => {
    // A table of several queries is one frame per query until merged; merge keeps rows apart whose Time
    // differs, so Time goes first. Every "Value #<refId>" is named or hidden, and no rename names a query
    // the panel does not have.
    const tables = queryPanels.filter((p) => p.type === 'table' && (p.targets ?? []).length > 1);
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) {
      const title = table.title ?? '?';
      const steps = table.transformations ?? [];
      expect(
        steps.slice(0, 3).map((step) => step.id),
        title,
      ).toEqual(['filterFieldsByName', 'merge', 'organize']);
      expect(steps[0]?.options?.exclude?.names, title).toEqual(['Time']);
      const organize = steps[2]?.options ?? {};
      const valueFields = (table.targets ?? []).map((target) => `Value #${target.refId ?? '?'}`);
      for (const field of valueFields) {
        const named = organize.renameByName?.[field] !== undefined || organize.excludeByName?.[field] === true;
        expect(named, `${title}: ${field} is neither named nor hidden`).toBe(true);
      }
      for (const field of Object.keys({ ...organize.renameByName, ...organize.excludeByName })) {
        if (field.startsWith('Value #')) expect(valueFields, `${title}: ${field}`).toContain(field);
      }
    }
  });

  it('only references variables that are defined before use, or built in', () => {
    const known = new Set([...Object.keys(BUILT_IN_VALUES), ...OTHER_BUILT_INS]);
    for (const variable of variables) {
      for (const name of referencedVariables(variableQuery(variable))) {
        expect(known, `variable ${variable.name} uses $${name} before it is defined`).toContain(name);
      }
      known.add(variable.name);
    }
    for (const query of panelQueries) {
      for (const name of referencedVariables(query.expr)) {
        expect(known, `${query.label} uses undefined $${name}`).toContain(name);
      }
    }
    for (const panel of panels) {
      for (const name of referencedVariables(panel.title ?? '')) {
        expect(known, `title "${panel.title ?? ''}" uses undefined $${name}`).toContain(name);
      }
    }
  });
});

// ---------------------------------------------------------------------------
// A real Prometheus
// ---------------------------------------------------------------------------

interface ScrapeTarget {
  /** host:port for static_configs. */
  address: string;
  metricsPath: string;
  stop(): Promise<void>;
}

/**
 * The real exporter on three bundled simulators (three `server` values), polling every second so counters
 * move, with something for every Problems table: one simulator fails one organization's polls from the
 * start (503: failing, never succeeded, name unknown); another stops listing organizations after the first
 * cycle (500: server down, its organizations' values frozen and stale after three intervals). The primary
 * has the demo's problems (repositories out of sync, outdated and out of order, an object storage at 94 %
 * of its size limit, a licence expiring in 20 days) and an unhealthy component, for the state, object
 * storage and licence panels; the branch serves only v6 and v7 and the exporter uses v7 there, so the
 * panels must cope with what v7 does not report (health, outdated, out of order, protected objects, a
 * proxy's maintenance mode and load). Every simulator has the seed's jobs and proxies (a failed job, a
 * disabled one, an overdue one, an offline proxy, one in maintenance on v8, offline too on the primary)
 * and organizations (one never backed up, one last backed up 27 hours ago); after the first cycle the
 * branch can no longer give the organizations' backup state (the extended view fails), so its values
 * there are the last known.
 */
async function startScrapeTarget(): Promise<ScrapeTarget> {
  const simulators = await Promise.all([
    startSimulator({ organizationCount: 8, demo: true }),
    startSimulator({ versions: ['v6', 'v7'] }),
    startSimulator(),
  ]);
  const [primary, branch, lost] = simulators;
  primary.data.setHealthEntry('NatsServer', 'Unhealthy', 'Not responding');
  // Restarted while being patched: offline in maintenance mode, which counts as maintenance, not offline.
  primary.data.updateProxy(SEED_PROXY_IDS.maintenance, { status: 'Offline' });
  branch.addFault({ route: 'used_repositories', organizationId: SEED_ORGANIZATION_IDS.fabrikam, status: 503 });
  const exporter = await startQuietExporter([
    // Read per repository, so the collection panel has a server to show (the same series as per organization).
    serverConfig(primary, {
      name: 'vb365-primary',
      pollIntervalSeconds: 1,
      collection: 'per_repository',
      verificationCycles: 2,
    }),
    serverConfig(branch, { name: 'vb365-branch', apiVersion: 'v7', pollIntervalSeconds: 1 }),
    serverConfig(lost, { name: 'vb365-lost', pollIntervalSeconds: 1 }),
  ]);
  await exporter.pollNow();
  lost.addFault({ route: 'organizations', status: 500 });
  branch.setExtendedViewFailure(500);
  return {
    address: new URL(exporter.url).host,
    metricsPath: '/metrics',
    stop: async () => {
      await exporter.stop();
      await Promise.all(simulators.map((simulator) => simulator.close()));
    },
  };
}

/** Organizations of the large simulator, and how many of them have each problem. */
const LARGE_ORGANIZATIONS = 2_000;
const LARGE_PROBLEMS = 25;
/** Backup proxies the large simulator adds to the seed's four. */
const LARGE_PROXIES = 20;
const LARGE_POLL_INTERVAL_SECONDS = 2;

/**
 * The real exporter on one simulator with 2,000 generated organizations (and the seed ones), answering
 * without latency. More of every problem than the Top variable shows: 25 repositories unavailable (one each
 * for 25 organizations), 25 organizations failing after their first poll, so also stale three poll
 * intervals later, 25 repositories out of sync and 25 object storages with a size limit. One backup job per
 * organization (the generator fails about 3 % of them, with warnings about 5 %), 25 of them disabled, and
 * 24 backup proxies.
 */
async function startLargeScrapeTarget(): Promise<ScrapeTarget> {
  const simulator = await startSimulator({
    organizationCount: LARGE_ORGANIZATIONS,
    jobsPerOrganization: 1,
    proxyCount: LARGE_PROXIES,
  });
  const generated = [...simulator.data.organizations.values()].filter((o) => o.name.startsWith('Generated'));
  expect(generated.length).toBe(LARGE_ORGANIZATIONS);
  for (const [i, organization] of generated.slice(0, LARGE_PROBLEMS).entries()) {
    const [usage, objectStorageUsage] = organization.usedRepositories;
    if (!usage || !objectStorageUsage) throw new Error('a generated organization without its two repositories');
    usage.isAvailable = false;
    usage.details = 'Proxy is offline';
    simulator.data.setRepositoryState(usage.repositoryId, { isOutOfSync: true });
    // The generated object storages report no used space and no limit: 50 % to 98 % of 1 TiB.
    simulator.data.setObjectStorage(objectStorageUsage.repositoryId, {
      sizeLimitEnabled: true,
      sizeLimitGB: 1024,
      usedSpaceBytes: Math.round((0.5 + i / 50) * 1024 * 1024 ** 3),
    });
    for (const job of simulator.data.jobsOf(organization.id)) simulator.data.updateJob(job.id, { isEnabled: false });
  }
  const exporter = await startQuietExporter([
    serverConfig(simulator, { name: 'vb365-large', pollIntervalSeconds: LARGE_POLL_INTERVAL_SECONDS }),
  ]);
  await exporter.pollNow();
  for (const organization of generated.slice(LARGE_PROBLEMS, 2 * LARGE_PROBLEMS)) {
    simulator.addFault({ route: 'used_repositories', organizationId: organization.id, status: 500 });
  }
  return {
    address: new URL(exporter.url).host,
    metricsPath: '/metrics',
    stop: async () => {
      await exporter.stop();
      await simulator.close();
    },
  };
}

/** The real Prometheus of these tests, scraping one exporter with the project's rules (or without). */
function startPrometheus(
  target: ScrapeTarget,
  workDir: string,
  { scrapeInterval = '1s', rules = true }: { scrapeInterval?: string; rules?: boolean } = {},
): Promise<RunningPrometheus> {
  // The timeout is the whole interval: the large exposition (10 MB) takes a while on 2 busy cores.
  return startRealPrometheus({
    workDir,
    targets: [{ job: SCRAPE_JOB, address: target.address, metricsPath: target.metricsPath }],
    scrapeInterval,
    scrapeTimeout: scrapeInterval,
    ruleFiles: rules ? [RULES_FILE] : [],
  });
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

// --- Prometheus HTTP API -----------------------------------------------------

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface ApiResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}
interface QueryData {
  resultType: 'vector' | 'scalar' | 'matrix' | 'string';
  result: unknown;
}
interface QueryResult {
  ok: boolean;
  error?: string;
  samples: Sample[];
}

/** One of the Prometheus servers of these tests. */
interface PrometheusHandle {
  running?: RunningPrometheus | undefined;
  /** Why it could not be started: every live test on it fails with this (rather than being skipped). */
  startupError?: Error;
}
/** Scrapes the exporter on the three small simulators. */
const small: PrometheusHandle = {};
/** Scrapes the exporter on the 2,000-organization simulator. */
const large: PrometheusHandle = {};

/** Calls the HTTP API; with parameters as a POST form, like Grafana, so long selections fit. */
async function api<T>(
  endpoint: string,
  params: Record<string, string> = {},
  on: PrometheusHandle = small,
): Promise<ApiResponse<T>> {
  if (on.startupError !== undefined) throw on.startupError;
  if (!on.running) throw new Error('Prometheus is not running');
  const body = new URLSearchParams(params);
  const response = await fetch(
    `${on.running.url}${endpoint}`,
    Object.keys(params).length === 0 ? {} : { method: 'POST', body },
  );
  return (await response.json()) as ApiResponse<T>;
}

async function instantQuery(expr: string, on: PrometheusHandle = small): Promise<QueryResult> {
  const response = await api<QueryData>('/api/v1/query', { query: expr }, on);
  if (response.status !== 'success' || !response.data) {
    return { ok: false, error: `${response.errorType ?? ''}: ${response.error ?? ''}`, samples: [] };
  }
  const { resultType, result } = response.data;
  if (resultType === 'vector') return { ok: true, samples: result as Sample[] };
  if (resultType === 'scalar') return { ok: true, samples: [{ metric: {}, value: result as [number, string] }] };
  return { ok: false, error: `unexpected result type ${resultType}`, samples: [] };
}

/**
 * The series selectors in a PromQL expression: `metric{...}`, `{__name__=~"..."}`,
 * and bare names of this exporter's and prom-client's metrics. Checking each of
 * them finds a misspelled metric or label even where the whole expression still
 * returns something (`... or vector(0)`).
 */
function seriesSelectors(expr: string): string[] {
  const braced = /(?:[a-zA-Z_:][\w:]*)?\{[^{}]*\}/g;
  const bare = expr
    .replace(braced, ' ')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .matchAll(/\b(?:veeam_vb365_|process_|nodejs_)\w*/g);
  return [...new Set([...[...expr.matchAll(braced)].map((m) => m[0]), ...[...bare].map((m) => m[0])])];
}

interface QueryCheck {
  /** The query failed: the error Prometheus returned. */
  error?: string;
  /** The query returned no sample. */
  empty: boolean;
  /** Selectors of the query that match no series. */
  emptySelectors: string[];
}

/** Runs a dashboard query (with variables replaced by selection) and each of its selectors. */
async function checkQuery(
  expr: string,
  selection: Record<string, string>,
  on: PrometheusHandle = small,
): Promise<QueryCheck> {
  const result = await instantQuery(interpolate(expr, selection), on);
  const emptySelectors: string[] = [];
  for (const selector of seriesSelectors(expr)) {
    // `organization_name!~"...$search..."` picks the organizations the search excludes: none while the
    // search is empty. The rest of the selector must still match.
    const checked = selector.replace(/,\s*organization_name!~"(?:[^"\\]|\\.)*"/, '');
    const { samples } = await instantQuery(`count(${interpolate(checked, selection)})`, on);
    if (samples.length === 0) emptySelectors.push(selector);
  }
  return {
    ...(result.ok ? {} : { error: result.error ?? '' }),
    empty: result.samples.length === 0,
    emptySelectors,
  };
}

// --- Variable queries, evaluated like Grafana's Prometheus data source --------

interface VariableOption {
  text: string;
  value: string;
}

async function variableOptions(
  variable: Variable,
  values: Record<string, string>,
  on: PrometheusHandle = small,
): Promise<VariableOption[]> {
  const query = interpolate(variableQuery(variable), values).trim();
  let texts: string[];
  const labelValues = /^label_values\((?:(.+),\s*)?(\w+)\)$/s.exec(query);
  const queryResult = /^query_result\((.+)\)$/s.exec(query);
  if (labelValues) {
    const [, match, label = ''] = labelValues;
    const response = await api<Record<string, string>[]>(
      '/api/v1/series',
      { 'match[]': match ?? `{${label}!=""}` },
      on,
    );
    expect(response.status, `${variable.name}: ${response.error ?? ''}`).toBe('success');
    texts = [...new Set((response.data ?? []).map((series) => series[label] ?? '').filter(Boolean))];
  } else if (queryResult) {
    // Grafana turns each sample into the text `name{label="value",...} value timestamp_ms`.
    const result = await instantQuery(queryResult[1] ?? '', on);
    expect(result.ok, `${variable.name}: ${result.error ?? ''}`).toBe(true);
    texts = result.samples.map(({ metric, value }) => {
      const { __name__: name = '', ...labels } = metric;
      const pairs = Object.entries(labels).map(([key, val]) => `${key}="${val}"`);
      return `${name}{${pairs.join(',')}} ${value[1]} ${value[0] * 1000}`;
    });
  } else {
    throw new Error(`variable ${variable.name}: unsupported query ${query}`);
  }

  const regex = /^\/(.*)\/([gimsuy]*)$/s.exec(variable.regex ?? '');
  if (!regex) return texts.map((text) => ({ text, value: text }));
  const pattern = new RegExp(regex[1] ?? '', regex[2]);
  return texts.flatMap((text) => {
    const match = pattern.exec(text);
    if (!match) return [];
    const value = match.groups?.['value'] ?? match[1] ?? match[0];
    return [{ value, text: match.groups?.['text'] ?? value }];
  });
}

/** Options of every query variable, in dashboard order, for the given selection. */
async function allVariableOptions(
  selection: Record<string, string>,
  on: PrometheusHandle = small,
): Promise<Map<string, VariableOption[]>> {
  const options = new Map<string, VariableOption[]>();
  for (const variable of variables.filter((v) => v.type === 'query')) {
    options.set(variable.name, await variableOptions(variable, selection, on));
  }
  return options;
}

// ---------------------------------------------------------------------------
// Live checks
// ---------------------------------------------------------------------------

/**
 * Panels whose queries may legitimately return nothing on the test data, and why.
 * Everything else must return at least one sample.
 */
const MAY_BE_EMPTY: Record<string, string> = {
  'Time until full (soonest $top)':
    'lists only repositories whose free space shrank over the last day; the scraped values do not change',
};

/** What Grafana sends for a variable left at its default: All for query variables, else the current value. */
function defaultValue(variable: Variable): string {
  if (variable.type === 'query') return variable.allValue ?? '.*';
  const value = variable.current?.value ?? '';
  return Array.isArray(value) ? (value[0] ?? '') : value;
}
const ALL_SELECTED: Record<string, string> = Object.fromEntries(
  variables
    .filter((variable) => variable.type !== 'datasource')
    .map((variable) => [variable.name, defaultValue(variable)]),
);
const TOP = Number(ALL_SELECTED['top']);

/** At 2,000 organizations, more panels may be empty: the one server there is up. */
const MAY_BE_EMPTY_LARGE: Record<string, string> = {
  ...MAY_BE_EMPTY,
  'Down servers': 'the one server of the large simulator is up',
  'Used space read per repository':
    'the large simulator is read per organization (its failing organizations are failing UsedRepositories)',
};

interface Environment {
  target?: ScrapeTarget;
  workDir?: string;
}

/**
 * Starts a scrape target and a Prometheus scraping it into `handle`, then waits until `ready` holds; a
 * failure is kept in handle.startupError, so the tests on it fail with it.
 */
async function startEnvironment(
  handle: PrometheusHandle,
  startTarget: () => Promise<ScrapeTarget>,
  options: { scrapeInterval?: string; rules?: boolean },
  ready: Record<string, string>,
): Promise<Environment> {
  const environment: Environment = {};
  try {
    environment.workDir = mkdtempSync(path.join(tmpdir(), 'vb365-prometheus-'));
    environment.target = await startTarget();
    handle.running = await startPrometheus(environment.target, environment.workDir, options);

    // Prometheus applies the scrape configuration about 5 s after start. rate() needs two samples: wait
    // for three successful scrapes, the last one among them (on 2 busy cores a scrape may time out).
    const scraped = `sum_over_time(up{job="${SCRAPE_JOB}"}[1m]) >= 3 and up{job="${SCRAPE_JOB}"} == 1`;
    try {
      await waitFor(
        'three successful scrapes',
        45_000,
        async () => (await instantQuery(scraped, handle)).samples.length > 0,
      );
    } catch (error) {
      const targets = await api<unknown>('/api/v1/targets', {}, handle);
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}; the scrape target: ${JSON.stringify(targets.data)}`);
    }
    for (const [what, expr] of Object.entries(ready)) {
      await waitFor(what, 20_000, async () => (await instantQuery(expr, handle)).samples.length > 0);
    }
  } catch (error) {
    handle.startupError = error instanceof Error ? error : new Error(String(error));
    const logs = handle.running?.logs();
    if (logs) handle.startupError.message += `\nPrometheus log:\n${logs}`;
  }
  return environment;
}

async function stopEnvironment(handle: PrometheusHandle, environment: Environment | undefined): Promise<void> {
  await handle.running?.stop();
  handle.running = undefined;
  await environment?.target?.stop();
  if (environment?.workDir) rmSync(environment.workDir, { recursive: true, force: true });
}

/** Stale: last success older than three poll intervals, as in the dashboard and the VB365DataStale alert. */
const STALE_ORGANIZATIONS =
  'time() - veeam_vb365_organization_last_success_timestamp_seconds' +
  ' > on (server) group_left max by (server) (3 * veeam_vb365_poll_interval_seconds)';

/** What a panel's query returns on the small Prometheus for one server (a regex), with All elsewhere. */
async function rows(
  title: string,
  refId: string,
  server: string,
  selection: Record<string, string> = {},
): Promise<Sample[]> {
  const query = panelQueries.find((q) => q.label === `${title} / ${refId}`);
  if (!query) throw new Error(`the dashboard no longer has ${title} / ${refId}`);
  const result = await instantQuery(interpolate(query.expr, { ...ALL_SELECTED, server, ...selection }));
  expect(result.error, query.label).toBeUndefined();
  if (process.env['DASHBOARD_REPORT']) {
    const lines = result.samples.map((s) => `  ${JSON.stringify({ ...s.metric, value: s.value[1] })}`);
    console.log(`${query.label} (server ${server}):\n${lines.join('\n')}`);
  }
  return result.samples;
}

/** The alerting rules of alerts/. */
const alertRules = (
  parseYaml(readFileSync(RULES_FILE, 'utf8')) as {
    groups: { rules: { alert?: string; expr: string; labels?: { severity?: string } }[] }[];
  }
).groups
  .flatMap((group) => group.rules)
  .filter((rule) => rule.alert !== undefined);

/** What an alert's expression returns now on the small Prometheus (what would fire, but for its `for`). */
async function firing(name: string, severity?: string): Promise<Sample[]> {
  const rule = alertRules.find((r) => r.alert === name && (severity === undefined || r.labels?.severity === severity));
  if (rule === undefined) throw new Error(`alerts/ no longer has ${name}`);
  const result = await instantQuery(rule.expr);
  expect(result.error, name).toBeUndefined();
  return result.samples;
}

/** The lowest value a table column shows as "never" (a range value mapping from it to infinity). */
function neverFrom(title: string, column: string): number {
  const panel = queryPanels.find((p) => p.title === title);
  const properties = panel?.fieldConfig?.overrides?.find((o) => o.matcher.options === column)?.properties ?? [];
  const mappings = (properties.find((property) => property.id === 'mappings')?.value ?? []) as ValueMapping[];
  const never = mappings.find((m) => m.type === 'range' && m.options.result?.text === 'never' && m.options.to === null);
  if (never?.options.from === undefined || never.options.from === null) {
    throw new Error(`"${title}" no longer maps ${column} to "never"`);
  }
  return never.options.from;
}

/** The value of the one sample with these labels. */
function value(samples: Sample[], labels: Record<string, string> = {}): number {
  const matching = samples.filter((s) => Object.entries(labels).every(([k, v]) => s.metric[k] === v));
  expect(matching.length, JSON.stringify(labels)).toBe(1);
  return Number(matching[0]?.value[1]);
}

describe('the dashboard and rules against a real Prometheus', () => {
  let smallEnvironment: Environment | undefined;
  let largeEnvironment: Environment | undefined;

  // Both Prometheus servers start side by side: most of the start is waiting for scrapes.
  beforeAll(async () => {
    [smallEnvironment, largeEnvironment] = await Promise.all([
      startEnvironment(
        small,
        startScrapeTarget,
        {},
        {
          'a server down': 'veeam_vb365_up == 0',
          'a stale organization': STALE_ORGANIZATIONS,
          "the branch's organization listing without its extended view":
            'veeam_vb365_organizations_extended_view_success == 0',
          'the backup age threshold recorded': 'vb365:organization_last_backup_max_age_seconds:threshold',
        },
      ),
      startEnvironment(
        large,
        startLargeScrapeTarget,
        { scrapeInterval: '3s', rules: false },
        {
          [`${LARGE_PROBLEMS} failing organizations`]: `count(veeam_vb365_organization_poll_success == 0) >= ${LARGE_PROBLEMS}`,
          [`${LARGE_PROBLEMS} stale organizations`]: `count(${STALE_ORGANIZATIONS}) >= ${LARGE_PROBLEMS}`,
        },
      ),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([stopEnvironment(small, smallEnvironment), stopEnvironment(large, largeEnvironment)]);
  });

  it('returns options for every variable, with names as organization and repository texts', async () => {
    const options = await allVariableOptions(ALL_SELECTED);
    for (const [name, list] of options) {
      expect(list.length, `variable ${name} has no options`).toBeGreaterThan(0);
      for (const option of list) expect(option.value, `variable ${name}`).toBeTruthy();
    }
    for (const name of ['organization', 'repository']) {
      const list = options.get(name) ?? [];
      expect(
        list.every((option) => option.text !== option.value),
        `variable ${name} shows IDs instead of names: ${JSON.stringify(list)}`,
      ).toBe(true);
    }
  });

  it('returns data for every panel query, and every selector in it, with All selected', async () => {
    const problems: string[] = [];
    for (const query of panelQueries) {
      const check = await checkQuery(query.expr, ALL_SELECTED);
      if (check.error !== undefined) problems.push(`${query.label}: query failed: ${check.error}`);
      else if (check.empty && !(query.panelTitle in MAY_BE_EMPTY)) problems.push(`${query.label}: no data`);
      for (const selector of check.emptySelectors) problems.push(`${query.label}: no series for ${selector}`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('returns data for every panel query and selector with a concrete selection of at least one server', async () => {
    // Select each server in turn, with all of its organizations and repositories
    // picked one by one, so the filters hold real IDs instead of .*: a filter on a
    // misspelled label then matches nothing.
    const servers = (await allVariableOptions(ALL_SELECTED)).get('server') ?? [];
    expect(servers.length).toBeGreaterThan(0);
    const problems: string[] = [];
    const queriesWithData = new Set<string>();
    const selectorsWithData = new Set<string>();
    for (const server of servers) {
      const selection: Record<string, string> = { ...ALL_SELECTED, server: formatSelection([server.value]) };
      for (const variable of variables.filter((v) => v.type === 'query' && v.name !== 'server')) {
        const options = await variableOptions(variable, selection);
        if (options.length > 0) selection[variable.name] = formatSelection(options.map((o) => o.value));
      }
      for (const query of panelQueries) {
        const check = await checkQuery(query.expr, selection);
        if (check.error !== undefined) problems.push(`${query.label} (${server.value}): ${check.error}`);
        if (!check.empty) queriesWithData.add(query.label);
        for (const selector of seriesSelectors(query.expr)) {
          if (!check.emptySelectors.includes(selector)) selectorsWithData.add(`${query.label}: ${selector}`);
        }
      }
    }
    for (const query of panelQueries) {
      if (!queriesWithData.has(query.label) && !(query.panelTitle in MAY_BE_EMPTY)) {
        problems.push(`${query.label}: no data for any single server`);
      }
      for (const selector of seriesSelectors(query.expr)) {
        if (!selectorsWithData.has(`${query.label}: ${selector}`)) {
          problems.push(`${query.label}: no series for ${selector} for any single server`);
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('would notice a misspelled metric, even behind `or vector(0)`', async () => {
    const misspell = (expr: string): string =>
      expr.replaceAll('veeam_vb365_repository_available', 'veeam_vb365_repository_availabel');
    const table = panelQueries.find((q) => q.panelTitle.startsWith('Repository availability'));
    const stat = panelQueries.find((q) => q.expr.includes('== 0)) or vector(0)'));
    if (!table || !stat) throw new Error('the dashboard no longer has the panels this check uses');

    const tableCheck = await checkQuery(misspell(table.expr), ALL_SELECTED);
    expect(tableCheck.empty).toBe(true);
    const statCheck = await checkQuery(misspell(stat.expr), ALL_SELECTED);
    expect(statCheck.empty).toBe(false); // vector(0) hides it from the result...
    expect(statCheck.emptySelectors.join()).toContain('veeam_vb365_repository_availabel'); // ...not from this
  });

  it("shows the servers', licences' and repositories' state as a person would read it", async () => {
    // The demo's problems on vb365-primary, what v7 does not report on vb365-branch: the numbers the
    // server, repository state and object storage panels show, in the units their fields declare.
    const DAY = 86_400;
    const TiB = 1024 ** 4;

    const servers = 'Version, health and licence';
    const [info] = await rows(servers, 'A', 'vb365-primary');
    expect(info?.metric).toMatchObject({ version: '8.1.0.305', api_version: 'v8' });
    expect((await rows(servers, 'A', 'vb365-branch'))[0]?.metric).toMatchObject({ api_version: 'v7' });
    expect(value(await rows(servers, 'B', 'vb365-primary'))).toBe(0); // Unhealthy: NatsServer
    expect(value(await rows(servers, 'B', 'vb365-branch'))).toBe(-1); // v7: not reported
    expect((await rows(servers, 'C', 'vb365-primary'))[0]?.metric).toMatchObject({ status: 'Valid' });
    expect(value(await rows(servers, 'F', 'vb365-primary'))).toBeCloseTo(238 / 500, 6); // percentunit
    const daysLeft = value(await rows(servers, 'G', 'vb365-primary'));
    expect(daysLeft).toBeGreaterThan(19.9);
    expect(daysLeft).toBeLessThanOrEqual(20);
    // Grafana's date units take milliseconds.
    const expiresMs = value(await rows(servers, 'H', 'vb365-primary'));
    expect(Math.abs(expiresMs - (Date.now() + 20 * DAY * 1000))).toBeLessThan(DAY * 1000 * 0.1);
    expect(value(await rows(servers, 'I', 'vb365-primary'))).toBeGreaterThan(expiresMs);
    const health = await rows('VB365 server health', 'A', 'vb365-primary');
    expect(value(health, { component: 'NatsServer' })).toBe(0);
    expect(value(health, { component: 'ConfigurationDatabase' })).toBe(1);
    expect(await rows('VB365 server health', 'A', 'vb365-branch')).toEqual([]);

    const state = 'Repository state (most problems first, $top)';
    const primary = await rows(state, 'A', 'vb365-primary');
    expect(value(primary, { repository_name: 'S3 Archive', out_of_sync: 'Yes', outdated: 'No' })).toBe(1);
    expect(value(primary, { repository_name: 'Fabrikam Local', outdated: 'Yes', out_of_sync: 'No' })).toBe(1);
    expect(
      value(primary, {
        repository_name: 'Tailwind Branch Office',
        out_of_order: 'Yes',
        out_of_order_reason: 'invalid state',
      }),
    ).toBe(1);
    expect(primary.filter((s) => s.value[1] !== '0').length).toBe(3);
    expect(primary.length).toBe(TOP); // the problems, then healthy ones up to $top
    const branch = await rows(state, 'A', 'vb365-branch');
    expect(branch.length).toBeGreaterThan(0);
    for (const row of branch) {
      expect(row.metric, JSON.stringify(row.metric)).toMatchObject({
        out_of_sync: 'No',
        outdated: 'Not reported',
        out_of_order: 'Not reported',
      });
    }

    const storage = 'Object storage vs size limit (fullest $top)';
    const azure = { repository_id: SEED_REPOSITORY_IDS.contosoAzure };
    expect(
      value(await rows(storage, 'A', 'vb365-primary'), { ...azure, repository_name: 'Azure Blob Contoso' }),
    ).toBeCloseTo(0.94, 6);
    const used = value(await rows(storage, 'B', 'vb365-primary'), azure);
    const free = value(await rows(storage, 'C', 'vb365-primary'), azure);
    expect(used).toBeCloseTo(0.94 * TiB, -1);
    expect(value(await rows(storage, 'D', 'vb365-primary'), azure)).toBe(TiB);
    expect(used + free).toBe(TiB);
    // Without a limit (the seed's S3 bucket, every bucket of the other servers) no row.
    for (const refId of ['A', 'B', 'C', 'D']) {
      expect(
        (await rows(storage, refId, '.*')).map((s) => s.metric['repository_id']),
        refId,
      ).toEqual([SEED_REPOSITORY_IDS.contosoAzure]);
    }

    // Summed over Contoso's two repositories: 120 + 118.
    const contoso = { organization_id: SEED_ORGANIZATION_IDS.contoso, organization_name: 'Contoso' };
    expect(value(await rows('Protected objects per organization (top $top)', 'A', 'vb365-primary'), contoso)).toBe(238);
  });

  it("finds what the demo breaks with the alerts' own expressions, on the labels the exporter gives", async () => {
    // The rules are written against the exporter's names and labels: proven here on what it really exports.
    const repositories = async (name: string): Promise<string[]> =>
      (await firing(name)).map((sample) => `${sample.metric['server'] ?? ''}/${sample.metric['repository_id'] ?? ''}`);
    expect(await repositories('VB365RepositoryOutOfOrder')).toEqual([
      `vb365-primary/${SEED_REPOSITORY_IDS.tailwindOffline}`,
    ]);
    expect(await repositories('VB365RepositoryOutOfSync')).toEqual([`vb365-primary/${SEED_REPOSITORY_IDS.contosoS3}`]);
    expect(await repositories('VB365RepositoryOutdated')).toEqual([
      `vb365-primary/${SEED_REPOSITORY_IDS.fabrikamLocal}`,
    ]);
    expect(await repositories('VB365ObjectStorageNearLimit')).toEqual([
      `vb365-primary/${SEED_REPOSITORY_IDS.contosoAzure}`,
    ]);
    // The demo's licence ends in 20 days (the branch's in a year): the warning, not the critical one.
    expect((await firing('VB365LicenseExpiring', 'warning')).map((s) => s.metric['server'])).toEqual(['vb365-primary']);
    expect(await firing('VB365LicenseExpiring', 'critical')).toEqual([]);
    expect((await firing('VB365ServerUnhealthy')).map((s) => s.metric['server'])).toEqual(['vb365-primary']);
    expect(await firing('VB365LicenseUsersExhausted')).toEqual([]);
  });

  it("shows the seed's jobs and organizations' backups as a person would read them", async () => {
    // Every simulator has the seed's jobs: Fabrikam Daily failed 3 hours before it started (last backup 27
    // hours before), Tailwind Branch Office is disabled (last backup 10 days before), Tailwind Hourly is
    // 2 hours overdue, Contoso Nord running; Fabrikam's last backup is 27 hours old, Litware never backed up.
    const HOUR = 3600;
    const nowSeconds = Date.now() / 1000;
    /** A time (s) the seed sets so many hours before the simulators started, give or take this run's minutes. */
    const expectHoursAgo = (seconds: number, hours: number): void => {
      expect(Math.abs(nowSeconds - hours * HOUR - seconds), `${hours} hours ago`).toBeLessThan(10 * 60);
    };
    const count = async (title: string, server: string, selection: Record<string, string> = {}): Promise<number> =>
      value(await rows(title, 'A', server, selection));

    const byStatus = async (server: string): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await rows('Jobs by last status', 'A', server)).map((s) => [s.metric['status'] ?? '', Number(s.value[1])]),
      );
    // Contoso Daily, the hostile name, Tailwind Hourly and Branch Office, and the copy job succeeded.
    expect(await byStatus('vb365-primary')).toEqual({ Success: 5, Warning: 1, Failed: 1, Running: 1 });
    expect(await byStatus('vb365-branch')).toEqual({ Success: 5, Warning: 1, Failed: 1, Running: 1 });
    expect(await count('Jobs disabled', 'vb365-primary')).toBe(1);
    expect(await count('Jobs overdue', 'vb365-primary')).toBe(1);
    // vb365-lost cannot be polled: its jobs' state is frozen, left out as the alert leaves it out.
    expect(await count('Jobs overdue', 'vb365-lost')).toBe(0);

    const failed = 'Failed jobs (oldest last backup first, $top)';
    const [fabrikam, ...others] = await rows(failed, 'A', 'vb365-primary');
    expect(others).toEqual([]);
    expect(fabrikam?.metric).toMatchObject({
      job_id: SEED_JOB_IDS.fabrikamFailed,
      job_name: 'Fabrikam Daily',
      job_type: 'backup',
      organization_name: 'Fabrikam',
    });
    // Grafana's date units take milliseconds.
    expectHoursAgo(Number(fabrikam?.value[1]) / 1000, 27);
    expectHoursAgo(value(await rows(failed, 'B', 'vb365-primary'), { job_id: SEED_JOB_IDS.fabrikamFailed }) / 1000, 3);
    // One a server. The branch cannot read Fabrikam's repositories, so does not know its name: its ID stands in.
    expect(
      (await rows(failed, 'A', '.*'))
        .map(
          (s) => `${s.metric['server'] ?? ''}: ${s.metric['job_name'] ?? ''} of ${s.metric['organization_name'] ?? ''}`,
        )
        .sort(),
    ).toEqual([
      `vb365-branch: Fabrikam Daily of ${SEED_ORGANIZATION_IDS.fabrikam}`,
      'vb365-lost: Fabrikam Daily of Fabrikam',
      'vb365-primary: Fabrikam Daily of Fabrikam',
    ]);

    const disabled = await rows('Disabled jobs (oldest last backup first, $top)', 'A', 'vb365-primary');
    expect(disabled.map((s) => [s.metric['job_name'], s.metric['organization_name']])).toEqual([
      ['Tailwind Branch Office', 'Tailwind Toys'],
    ]);
    expectHoursAgo(Number(disabled[0]?.value[1]) / 1000, 240);

    // Seconds since each job's last backup, oldest first: fewer jobs than Top, so all eight.
    const perJob = 'Oldest last backup per job ($top)';
    const jobAges = await rows(perJob, 'A', 'vb365-primary');
    expect(jobAges.length).toBe(8);
    const oldestJobs = [...jobAges].sort((a, b) => Number(b.value[1]) - Number(a.value[1]));
    expect(oldestJobs.slice(0, 3).map((s) => s.metric['job_name'])).toEqual([
      'Tailwind Branch Office',
      'Fabrikam Daily',
      'Contoso Nord', // running: its last backup is 24 h 10 min old
    ]);
    expectHoursAgo(nowSeconds - value(jobAges, { job_id: SEED_JOB_IDS.fabrikamFailed }), 27);
    const statuses = await rows(perJob, 'B', 'vb365-primary');
    expect(value(statuses, { job_id: SEED_JOB_IDS.fabrikamFailed, status: 'Failed' })).toBe(1);
    expect(value(statuses, { job_id: SEED_JOB_IDS.contosoRunning, status: 'Running' })).toBe(1);
    const enabled = await rows(perJob, 'C', 'vb365-primary');
    expect(value(enabled, { job_id: SEED_JOB_IDS.tailwindDisabled })).toBe(0);
    expect(value(enabled, { job_id: SEED_JOB_IDS.fabrikamFailed })).toBe(1);

    const tooOld = "Organizations' last backup too old";
    expect(await count(tooOld, 'vb365-branch')).toBe(1); // Fabrikam, 27 hours
    expect(await count(tooOld, 'vb365-primary', { search: 'fabrikam' })).toBe(1);
    expect(await count(tooOld, 'vb365-primary', { search: 'contoso' })).toBe(0);
    expect(await count('Organizations never backed up', 'vb365-primary')).toBe(1); // Litware
    // The branch can no longer read the organizations' backup state: what it shows is the last known.
    expect(await count('Backup state unavailable', 'vb365-branch')).toBe(1);
    expect(await count('Backup state unavailable', 'vb365-primary')).toBe(0);

    // Seconds since each organization's last backup, "never" first. Litware has no repository, so no name:
    // listed by its ID whatever the search; on the branch Fabrikam's name is not known either.
    const perOrganization = 'Oldest last backup per organization ($top)';
    const never = neverFrom(perOrganization, 'Since last backup');
    const searched = await rows(perOrganization, 'A', 'vb365-primary', { search: 'fabrikam' });
    expect(searched.map((s) => s.metric['organization_name']).sort()).toEqual([
      'Fabrikam',
      SEED_ORGANIZATION_IDS.litware,
    ]);
    expect(value(searched, { organization_id: SEED_ORGANIZATION_IDS.litware })).toBeGreaterThanOrEqual(never);
    const fabrikamAge = value(searched, { organization_id: SEED_ORGANIZATION_IDS.fabrikam });
    expect(fabrikamAge).toBeLessThan(never);
    expectHoursAgo(nowSeconds - fabrikamAge, 27);
    const branch = await rows(perOrganization, 'A', 'vb365-branch');
    expect(branch.length).toBe(5);
    expect(
      [...branch]
        .sort((a, b) => Number(b.value[1]) - Number(a.value[1]))
        .slice(0, 2)
        .map((s) => s.metric['organization_name']),
    ).toEqual([SEED_ORGANIZATION_IDS.litware, SEED_ORGANIZATION_IDS.fabrikam]);
  });

  it("shows the seed's proxies: offline, in maintenance (v8) and their hosts' load (v8)", async () => {
    const proxyStates = async (server: string): Promise<number[]> =>
      Promise.all(['A', 'B', 'C'].map(async (refId) => value(await rows('Proxy states', refId, server))));
    // Online, offline, in maintenance (proxy-maint, offline too on the primary: maintenance says why). v7
    // does not report maintenance mode: proxy-maint is just online there.
    expect(await proxyStates('vb365-primary')).toEqual([2, 1, 1]);
    expect(await proxyStates('vb365-branch')).toEqual([3, 1, 0]);

    const table = 'Proxies (offline and in maintenance first, $top)';
    const states = await rows(table, 'A', 'vb365-primary');
    expect(
      states.map((s) => `${s.value[1]} ${s.metric['host_name'] ?? ''} ${s.metric['version'] ?? ''}`).sort(),
    ).toEqual([
      '0 proxy-branch 8.1.0.305', // Offline
      '1 proxy-maint 8.1.0.305', // In maintenance
      '2 proxy-linux 8.1.0.305', // Online
      '2 vb365-backup 8.1.0.305',
    ]);
    const cpu = await rows(table, 'B', 'vb365-primary');
    expect(value(cpu, { proxy_id: SEED_PROXY_IDS.local })).toBeCloseTo(0.235, 6); // percentunit
    expect(cpu.map((s) => s.metric['proxy_id'])).not.toContain(SEED_PROXY_IDS.branchOffice); // offline: no load
    expect(value(await rows(table, 'C', 'vb365-primary'), { proxy_id: SEED_PROXY_IDS.linux })).toBeCloseTo(0.728, 6);
    expect(await rows(table, 'B', 'vb365-branch')).toEqual([]); // v7: no load

    const load = async (title: string): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await rows(title, 'A', 'vb365-primary')).map((s) => [s.metric['host_name'] ?? '', Number(s.value[1])]),
      );
    expect(await load('Proxy CPU (top $top)')).toEqual({
      'vb365-backup': 0.235,
      'proxy-maint': 0.015,
      'proxy-linux': 0.473,
    });
    expect(await load('Proxy memory (top $top)')).toEqual({
      'vb365-backup': 0.612,
      'proxy-maint': 0.18,
      'proxy-linux': 0.728,
    });
  });

  it('shows how each server set to per_repository read its used space, and no other server', async () => {
    const table = 'Used space read per repository';
    const column = async (refId: string): Promise<string[]> =>
      (await rows(table, refId, '.*')).map((s) => `${s.metric['server'] ?? ''} ${s.value[1]}`);
    // The primary reads per repository and has found no difference; the others read per organization.
    expect(await column('A')).toEqual(['vb365-primary 1']);
    expect(await column('B')).toEqual(['vb365-primary 0']);
    expect(await column('C')).toEqual(['vb365-primary 0']);
    expect(await column('D')).toEqual(['vb365-primary 0']);
    // Nor does the alert that watches the fall-back fire.
    expect(await firing('VB365CollectionFellBack')).toEqual([]);
  });

  it('counts the jobs, organizations and proxies the alerts fire for, named as the alerts name them', async () => {
    // The counts follow the alerts' expressions (but for their `for`); the alerts name the seed's jobs and
    // proxies with the labels the exporter really gives.
    const named = async (name: string, label: string, severity?: string): Promise<string[]> =>
      (await firing(name, severity)).map((s) => `${s.metric['server'] ?? ''}/${s.metric[label] ?? ''}`).sort();
    const everyServer = (what: string): string[] =>
      ['vb365-branch', 'vb365-lost', 'vb365-primary'].map((s) => `${s}/${what}`);
    expect(await named('VB365JobFailed', 'job_name')).toEqual(everyServer('Fabrikam Daily'));
    expect(await named('VB365JobWarning', 'job_name')).toEqual(everyServer('Northwind Exchange'));
    expect(await named('VB365JobDisabled', 'job_name')).toEqual(everyServer('Tailwind Branch Office'));
    expect(await named('VB365JobOverdue', 'job_name')).toEqual([
      'vb365-branch/Tailwind Hourly',
      'vb365-primary/Tailwind Hourly',
    ]);
    expect(await named('VB365OrganizationNotBackedUp', 'organization_id', 'warning')).toEqual(
      everyServer(SEED_ORGANIZATION_IDS.litware),
    );
    expect(await named('VB365ProxyOffline', 'host_name')).toEqual(everyServer('proxy-branch'));
    expect(await named('VB365ProxyMaintenance', 'host_name')).toEqual([
      'vb365-lost/proxy-maint',
      'vb365-primary/proxy-maint',
    ]);

    const shown = async (title: string, refId = 'A', labels: Record<string, string> = {}): Promise<number> =>
      value(await rows(title, refId, '.*'), labels);
    const fired = async (name: string, severity?: string): Promise<number> => (await firing(name, severity)).length;
    expect(await shown('Jobs by last status', 'A', { status: 'Failed' })).toBe(await fired('VB365JobFailed'));
    expect(await shown('Jobs by last status', 'A', { status: 'Warning' })).toBe(await fired('VB365JobWarning'));
    expect(await shown('Jobs disabled')).toBe(await fired('VB365JobDisabled'));
    expect(await shown('Jobs overdue')).toBe(await fired('VB365JobOverdue'));
    const tooOld = await shown("Organizations' last backup too old");
    expect(tooOld).toBeGreaterThan(0);
    expect(tooOld).toBe(await fired('VB365OrganizationNotBackedUp', 'critical'));
    expect(await shown('Organizations never backed up')).toBe(await fired('VB365OrganizationNotBackedUp', 'warning'));
    expect(await shown('Proxy states', 'B')).toBe(await fired('VB365ProxyOffline'));
    expect(await shown('Proxy states', 'C')).toBe(await fired('VB365ProxyMaintenance'));
  });

  it('evaluates every alerting and recording rule of alerts/ without errors', async () => {
    interface RuleState {
      name: string;
      type: 'alerting' | 'recording';
      query: string;
      health: 'ok' | 'err' | 'unknown';
      lastError?: string;
    }
    interface RuleGroups {
      groups: { name: string; lastEvaluation: string; rules: RuleState[] }[];
    }
    // Every group must have been evaluated again now that the data is there.
    const since = Date.now();
    const evaluatedAt = (timestamp: string): number => Date.parse(timestamp.replace(/(\.\d{3})\d+/, '$1')); // RFC 3339 with ns -> ms
    let groups: RuleGroups['groups'] = [];
    await waitFor('every rule group to be evaluated', 10_000, async () => {
      groups = (await api<RuleGroups>('/api/v1/rules')).data?.groups ?? [];
      return groups.length > 0 && groups.every((group) => evaluatedAt(group.lastEvaluation) > since);
    });

    const rules = groups.flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.health, `${rule.name}: ${rule.lastError ?? ''}`).toBe('ok');
    }
    for (const rule of rules.filter((r) => r.type === 'recording')) {
      const result = await instantQuery(rule.name);
      expect(result.samples.length, `recording rule ${rule.name} produced nothing`).toBeGreaterThan(0);
    }
  });

  describe(`at ${LARGE_ORGANIZATIONS.toLocaleString('en')} organizations`, () => {
    it('serves them all, with more of every problem than the Top variable shows', async () => {
      const count = async (expr: string): Promise<number> =>
        Number((await instantQuery(`count(${expr})`, large)).samples[0]?.value[1] ?? 0);
      expect(await count('veeam_vb365_organization_poll_success')).toBeGreaterThanOrEqual(LARGE_ORGANIZATIONS);
      expect(await count('veeam_vb365_repository_available == 0')).toBeGreaterThan(TOP);
      expect(await count('veeam_vb365_organization_poll_success == 0')).toBeGreaterThan(TOP);
      expect(await count(STALE_ORGANIZATIONS)).toBeGreaterThan(TOP);
      expect(await count('veeam_vb365_backup_repository_out_of_sync == 1')).toBeGreaterThan(TOP);
      expect(await count('veeam_vb365_backup_repository_object_storage_size_limit_bytes')).toBeGreaterThan(TOP);
      expect(await count('veeam_vb365_job_info')).toBeGreaterThanOrEqual(LARGE_ORGANIZATIONS);
      expect(await count('veeam_vb365_job_last_status{status="Failed"}')).toBeGreaterThan(TOP);
      expect(await count('veeam_vb365_job_enabled == 0')).toBeGreaterThan(TOP);
      expect(await count('veeam_vb365_proxy_cpu_usage_ratio')).toBeGreaterThan(TOP);
    });

    it(
      'returns at most $top series (rows, lines) for every panel query, each in under 1 s',
      { timeout: 90_000 },
      async () => {
        const problems: string[] = [];
        const report: string[] = [];
        for (const query of panelQueries) {
          for (const range of query.range ? [false, true] : [false]) {
            const kind = range ? 'range' : 'instant';
            const measured = await measure(interpolate(query.expr, ALL_SELECTED), range);
            report.push(`${query.label} (${kind}): ${measured.series} series, ${measured.timesMs.join('/')} ms`);
            if (measured.error !== undefined) problems.push(`${query.label} (${kind}): ${measured.error}`);
            else if (measured.series === 0 && !(query.panelTitle in MAY_BE_EMPTY_LARGE)) {
              problems.push(`${query.label} (${kind}): no data`);
            }
            problems.push(...boundProblems(`${query.label} (${kind})`, measured));
          }
        }
        if (process.env['DASHBOARD_REPORT']) console.log(report.join('\n'));
        expect(problems, problems.join('\n')).toEqual([]);
      },
    );

    it('would return more than $top series without the limit, for every query that uses $top', async () => {
      // So the data is large enough for the bound to matter: it is topk/bottomk($top) that keeps the
      // panels small, not a small test set.
      const problems: string[] = [];
      const unlimited = { ...ALL_SELECTED, top: '1000000' };
      for (const query of panelQueries.filter((q) => q.expr.includes('$top') && !(q.panelTitle in MAY_BE_EMPTY))) {
        const { samples, error } = await instantQuery(interpolate(query.expr, unlimited), large);
        const series = samples.length;
        if (error !== undefined || series <= TOP) problems.push(`${query.label}: ${error ?? `only ${series} series`}`);
        if (process.env['DASHBOARD_REPORT']) console.log(`${query.label} without the limit: ${series} series`);
      }
      expect(problems, problems.join('\n')).toEqual([]);
    });

    it('would fail the bound with the panels the issue names, as they were', async () => {
      // "Stored per organization" and "Data age" before: one line per organization.
      const before: Record<string, string> = {
        'Stored per organization':
          '(sum by (server, organization_id) ({__name__=~"veeam_vb365_repository_(used_space|local_cache_used_space|object_storage_used_space)_bytes", server=~"$server", organization_id=~"$organization", repository_id=~"$repository"}))\n' +
          '  * on (server, organization_id) group_left (organization_name)\n' +
          'group by (server, organization_id, organization_name) (veeam_vb365_repository_info{server=~"$server"})',
        'Data age':
          '(time() - veeam_vb365_organization_last_success_timestamp_seconds{server=~"$server", organization_id=~"$organization"})\n' +
          '  * on (server, organization_id) group_left (organization_name)\n' +
          'group by (server, organization_id, organization_name) (veeam_vb365_repository_info{server=~"$server"})\n' +
          'or on (server, organization_id)\n' +
          'label_replace(time() - veeam_vb365_organization_last_success_timestamp_seconds{server=~"$server", organization_id=~"$organization"}, "organization_name", "$1", "organization_id", "(.*)")',
      };
      for (const [title, expr] of Object.entries(before)) {
        const unbounded = await measure(interpolate(expr, ALL_SELECTED), true);
        if (process.env['DASHBOARD_REPORT']) {
          console.log(`${title} before: ${unbounded.series} series, ${unbounded.timesMs.join('/')} ms`);
        }
        expect(unbounded.series, title).toBeGreaterThanOrEqual(LARGE_ORGANIZATIONS);
        expect(boundProblems(title, unbounded).join(), title).toContain('series, more than');
      }
    });

    it('lists every organization in the Organization variable, narrowed by Organization search, in under 1 s', async () => {
      const organization = variables.find((v) => v.name === 'organization');
      if (!organization) throw new Error('no organization variable');
      let started = performance.now();
      const everyOrganization = await variableOptions(organization, ALL_SELECTED, large);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(everyOrganization.length).toBeGreaterThanOrEqual(LARGE_ORGANIZATIONS);
      const repository = variables.find((v) => v.name === 'repository');
      if (!repository) throw new Error('no repository variable');
      started = performance.now();
      const everyRepository = await variableOptions(repository, ALL_SELECTED, large);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(everyRepository.length).toBeGreaterThanOrEqual(2 * LARGE_ORGANIZATIONS);

      // Case-insensitive, part of the name: "Generated Organization 0001" to "...0009".
      const searched = { ...ALL_SELECTED, search: 'organization 000' };
      started = performance.now();
      const found = await variableOptions(organization, searched, large);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(found.map((option) => option.text).sort()).toEqual(
        Array.from({ length: 9 }, (_, i) => `Generated Organization 000${i + 1}`),
      );
      // The panels follow the search: All is every organization matching it, plus those whose name is not
      // known yet (no repository: Litware of the seed data), which no name search may hide.
      const organizations = panelQueries.find((q) => q.panelTitle === 'Organizations');
      if (!organizations) throw new Error('the dashboard no longer has the Organizations panel');
      const nameless = await instantQuery(
        'count(veeam_vb365_organization_poll_success unless on (server, organization_id) veeam_vb365_repository_info)',
        large,
      );
      expect(nameless.samples[0]?.value[1]).toBe('1');
      const result = await instantQuery(interpolate(organizations.expr, searched), large);
      expect(result.samples[0]?.value[1]).toBe('10');
    });
  });
});

interface Measured {
  /** Series returned: rows of an instant query, distinct lines of a range query. */
  series: number;
  /** Wall time of each of three runs, ms. */
  timesMs: number[];
  error?: string;
}

/** Range queries cover the last minute at 1 s steps: every sample the test has scraped. */
const RANGE_SECONDS = 60;

/** Runs a query on the large Prometheus three times, as Grafana's panel would send it. */
async function measure(expr: string, range: boolean): Promise<Measured> {
  const timesMs: number[] = [];
  let series = 0;
  let error: string | undefined;
  for (let run = 0; run < 3; run++) {
    const end = Date.now() / 1000;
    const started = performance.now();
    const response = range
      ? await api<QueryData>(
          '/api/v1/query_range',
          { query: expr, start: String(end - RANGE_SECONDS), end: String(end), step: '1' },
          large,
        )
      : await api<QueryData>('/api/v1/query', { query: expr }, large);
    timesMs.push(Math.round(performance.now() - started));
    if (response.status !== 'success' || !response.data) {
      error = `${response.errorType ?? ''}: ${response.error ?? ''}`;
      break;
    }
    const { resultType, result } = response.data;
    series = resultType === 'vector' || resultType === 'matrix' ? (result as unknown[]).length : 1;
  }
  return { series, timesMs, ...(error === undefined ? {} : { error }) };
}

/** What is wrong with a measured query: more series than $top, or a median time of 1 s or more. */
function boundProblems(label: string, { series, timesMs }: Measured): string[] {
  const problems: string[] = [];
  if (series > TOP) problems.push(`${label}: ${series} series, more than $top = ${TOP}`);
  const median = [...timesMs].sort((a, b) => a - b)[Math.floor(timesMs.length / 2)] ?? 0;
  if (median >= 1000) problems.push(`${label}: answered in ${median} ms (median of ${timesMs.join(', ')})`);
  return problems;
}
