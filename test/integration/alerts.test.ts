// Checks the Prometheus rule file alerts/vb365-exporter.rules.yml with the real
// promtool (Debian package `prometheus`): syntax, its unit tests, that a broken
// copy is rejected, and the conventions every alert must follow (labels,
// annotations, a runbook section in docs/runbook.md, tests that show it
// firing and not firing).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ALERTS_DIR = path.join(ROOT, 'alerts');
const RULES_FILE = path.join(ALERTS_DIR, 'vb365-exporter.rules.yml');
const RULES_TEST_FILE = path.join(ALERTS_DIR, 'vb365-exporter.rules.test.yml');
const RUNBOOK_FILE = path.join(ROOT, 'docs', 'runbook.md');
const README_FILE = path.join(ROOT, 'README.md');
// The runbook as GitHub shows it: every alert's runbook_url is this plus the anchor of its section.
const RUNBOOK_BASE_URL = 'https://github.com/vb365-exporter/vb365-exporter/blob/main/docs/runbook.md';
const SEVERITIES = ['critical', 'warning', 'info'];

// ---------------------------------------------------------------------------
// promtool
// ---------------------------------------------------------------------------

interface PromtoolResult {
  code: number | null;
  output: string;
}

/** Runs promtool; a missing promtool is an error (the test fails), never a skip. */
function promtool(args: string[]): PromtoolResult {
  const command = process.env['PROMTOOL'] ?? 'promtool';
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `promtool not found (tried to run "${command}"). ` +
          'Install it with `apt-get install prometheus` (Debian/Ubuntu), or set PROMTOOL to its path.',
      );
    }
    throw result.error;
  }
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

// ---------------------------------------------------------------------------
// The rule files, parsed
// ---------------------------------------------------------------------------

// Only the fields these tests read; promtool validates the full structure.
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface RulesTestFile {
  rule_files: string[];
  tests: {
    name?: string;
    alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: unknown[] | null }[];
    promql_expr_test?: { expr: string }[];
  }[];
}

function readYaml(file: string): unknown {
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  return doc;
}

const ruleFile = readYaml(RULES_FILE) as RuleFile;
const rulesTest = readYaml(RULES_TEST_FILE) as RulesTestFile;
const allRules: Rule[] = ruleFile.groups.flatMap((group) => group.rules);
const alertRules = allRules.filter((rule) => rule.alert !== undefined);
const recordingRules = allRules.filter((rule) => rule.record !== undefined);
const alertNames = [...new Set(alertRules.map((rule) => rule.alert ?? ''))];

/** The anchor GitHub gives a Markdown heading. */
function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Heading texts of a Markdown document, outside fenced code blocks. */
function markdownHeadings(markdown: string): string[] {
  const headings: string[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const match = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!inFence && match?.[1] !== undefined) headings.push(match[1]);
  }
  return headings;
}

// ---------------------------------------------------------------------------
// Temporary copies for the negative checks
// ---------------------------------------------------------------------------

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vb365-rules-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Generated promtool tests: a repository shared by many organizations
// ---------------------------------------------------------------------------

// promtool's series notation has no way to write many series at once, so the
// 800 organizations of this case are generated here rather than spelled out in
// vb365-exporter.rules.test.yml (1,600 near-identical series would bury the
// hand-written cases) or checked in as a generated fixture (which could drift
// from its generator). The file is written next to a copy of the rules and run
// with the real promtool like the hand-written one.

const SHARED_ORGANIZATIONS = 800;
const SAMPLE_SIZE = 5; // organizations named in the description

/** Zero-padded number, so IDs and names sort like the numbers. */
function pad(n: number): string {
  return String(n).padStart(String(SHARED_ORGANIZATIONS).length, '0');
}

/**
 * promtool tests for one server on which `count` organizations share two
 * repositories. "Shared S3" is unavailable for all of them from minute 5 on (so
 * the alert fires from minute 15 on), "Shared JET" stays available. Organization
 * i has ID org-i and name "Tenant (count + 1 - i)": name order is the reverse of
 * ID order, so a sample in ID order (the order of the series) would be wrong.
 */
function sharedRepositoryTests(count: number): string {
  const series: { series: string; values: string }[] = [];
  for (let i = 1; i <= count; i++) {
    const org = `organization_id="org-${pad(i)}",organization_name="Tenant ${pad(count + 1 - i)}"`;
    series.push(
      {
        series: `veeam_vb365_repository_available{server="vb365-a",organization_id="org-${pad(i)}",repository_id="repo-shared-s3"}`,
        values: '1x4 0x20',
      },
      {
        series: `veeam_vb365_repository_info{server="vb365-a",${org},repository_id="repo-shared-s3",repository_name="Shared S3",details="Proxy is offline"}`,
        values: '1x24',
      },
      {
        series: `veeam_vb365_repository_available{server="vb365-a",organization_id="org-${pad(i)}",repository_id="repo-shared-jet"}`,
        values: '1x24',
      },
      {
        series: `veeam_vb365_repository_info{server="vb365-a",${org},repository_id="repo-shared-jet",repository_name="Shared JET",details=""}`,
        values: '1x24',
      },
    );
  }
  const sample = Array.from({ length: Math.min(count, SAMPLE_SIZE) }, (_, i) => `Tenant ${pad(i + 1)}`);
  const alert = {
    exp_labels: {
      severity: 'critical',
      server: 'vb365-a',
      repository_id: 'repo-shared-s3',
      repository_name: 'Shared S3',
    },
    exp_annotations: {
      summary: `VB365 repository Shared S3 on vb365-a is unavailable for ${count} organizations.`,
      description:
        'VB365 server vb365-a has reported backup repository Shared S3 (ID repo-shared-s3) as unavailable ' +
        `for more than 10 minutes. It is unavailable for ${count} organizations, the first ${SAMPLE_SIZE} by name: ` +
        `${sample.join(', ')}. Backups of these organizations to this repository cannot run. ` +
        'VB365 says: "Proxy is offline".',
      runbook_url: `${RUNBOOK_BASE_URL}#vb365repositoryunavailable`,
    },
  };
  return stringify({
    rule_files: [path.basename(RULES_FILE)],
    evaluation_interval: '1m',
    tests: [
      {
        name: `a repository shared by ${count} organizations`,
        interval: '1m',
        input_series: series,
        alert_rule_test: [
          { eval_time: '14m', alertname: 'VB365RepositoryUnavailable', exp_alerts: [] },
          // promtool compares the whole list: exactly one alert, for Shared S3 only.
          { eval_time: '21m', alertname: 'VB365RepositoryUnavailable', exp_alerts: [alert] },
          { eval_time: '24m', alertname: 'VB365RepositoryUnavailable', exp_alerts: [alert] },
        ],
      },
    ],
  });
}

/**
 * Writes `rules` as vb365-exporter.rules.yml and `tests` next to it in a new
 * temporary directory, and runs `promtool test rules` on them.
 */
function promtoolTest(rules: string, tests: string): PromtoolResult {
  const dir = tempDir();
  writeFileSync(path.join(dir, path.basename(RULES_FILE)), rules);
  const file = path.join(dir, 'generated.rules.test.yml');
  writeFileSync(file, tests);
  return promtool(['test', 'rules', file]);
}

/** The rule file with the expression of one recording rule replaced. */
function withRecord(record: string, expr: string): string {
  const mutant = readYaml(RULES_FILE) as RuleFile;
  const rule = mutant.groups.flatMap((group) => group.rules).find((r) => r.record === record);
  if (!rule) throw new Error(`no recording rule ${record}`);
  rule.expr = expr;
  return stringify(mutant);
}

/** The rule file with the expression of one alert replaced. */
function withExpr(alert: string, expr: string): string {
  const mutant = readYaml(RULES_FILE) as RuleFile;
  const rule = mutant.groups.flatMap((group) => group.rules).find((r) => r.alert === alert);
  if (!rule) throw new Error(`no alert ${alert}`);
  rule.expr = expr;
  return stringify(mutant);
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe('alerts/vb365-exporter.rules.yml with promtool', () => {
  it('passes `promtool check rules`', () => {
    const { code, output } = promtool(['check', 'rules', RULES_FILE]);
    expect(output, output).toContain(`SUCCESS: ${allRules.length} rules found`);
    expect(code, output).toBe(0);
  });

  it('passes its unit tests (`promtool test rules`)', () => {
    const { code, output } = promtool(['test', 'rules', RULES_TEST_FILE]);
    expect(output, output).toContain('SUCCESS');
    expect(code, output).toBe(0);
  });

  it('is rejected by `promtool check rules` when an expression is broken', () => {
    const broken = readYaml(RULES_FILE) as RuleFile;
    const victim = broken.groups.flatMap((group) => group.rules).find((rule) => rule.alert);
    if (!victim) throw new Error('no alert to break');
    victim.expr = 'veeam_vb365_repository_available == on (server'; // unbalanced parenthesis
    const file = path.join(tempDir(), 'broken.rules.yml');
    writeFileSync(file, stringify(broken));

    const { code, output } = promtool(['check', 'rules', file]);
    expect(code, output).not.toBe(0);
    expect(output).toContain(`"${victim.alert ?? ''}": could not parse expression`);
  });

  it('fails its unit tests when an expectation is wrong', () => {
    // Same rules, but the test now expects the first firing alert with another severity.
    const dir = tempDir();
    writeFileSync(path.join(dir, path.basename(RULES_FILE)), readFileSync(RULES_FILE));
    const tests = readFileSync(RULES_TEST_FILE, 'utf8');
    const altered = tests.replace('severity: critical', 'severity: warning');
    expect(altered).not.toBe(tests);
    const file = path.join(dir, 'altered.rules.test.yml');
    writeFileSync(file, altered);

    const { code, output } = promtool(['test', 'rules', file]);
    expect(code, output).not.toBe(0);
    expect(output).toContain('FAILED');
  });
});

describe('VB365RepositoryUnavailable for a repository shared by 800 organizations (generated)', () => {
  const tests = sharedRepositoryTests(SHARED_ORGANIZATIONS);

  it('generates 800 organizations with two repositories each', () => {
    const doc = parse(tests) as { tests: { input_series: unknown[] }[] };
    expect(doc.tests[0]?.input_series).toHaveLength(4 * SHARED_ORGANIZATIONS);
  });

  it('gives exactly one alert, counting 800 organizations and naming the first 5 by name', () => {
    const { code, output } = promtoolTest(readFileSync(RULES_FILE, 'utf8'), tests);
    expect(output, output).toContain('SUCCESS');
    expect(code, output).toBe(0);
  });

  it('fails against the old rule, which fired once per organization', () => {
    // 20 organizations: each of the old rule's alerts renders the description's
    // queries, 800 of them would take promtool minutes.
    const { code, output } = promtoolTest(
      withExpr('VB365RepositoryUnavailable', 'veeam_vb365_repository_available == 0'),
      sharedRepositoryTests(20),
    );
    expect(code, output).not.toBe(0);
    expect(output).toContain('FAILED');
    for (const org of ['org-001', 'org-020']) expect(output).toContain(`organization_id="${org}"`);
  });
});

describe('VB365RepositoryFillingUp only with less than 20% free', () => {
  it('fails its unit tests without the guard: a first full backup with 50% free would page', () => {
    const unguarded =
      'max by (server, repository_id) (predict_linear(veeam_vb365_backup_repository_free_space_bytes[1d], 7 * 24 * 3600)) < 0';
    const rule = alertRules.find((r) => r.alert === 'VB365RepositoryFillingUp');
    expect(rule?.expr.startsWith(unguarded), 'the mutant must be the rule minus its guard').toBe(true);
    const { code, output } = promtoolTest(
      withExpr('VB365RepositoryFillingUp', unguarded),
      readFileSync(RULES_TEST_FILE, 'utf8'),
    );
    expect(code, output).not.toBe(0);
    expect(output).toMatch(/alertname: VB365RepositoryFillingUp, time: 1h30m/);
    expect(output).toContain('repository_id="repo-new"');
  });
});

// ---------------------------------------------------------------------------
// The backup age threshold: one recording rule, the only place to change it
// ---------------------------------------------------------------------------

const BACKUP_AGE_THRESHOLD = 'vb365:organization_last_backup_max_age_seconds:threshold';

/**
 * promtool tests for two organizations last backed up 23h55m and 47h55m before
 * the test starts: with a threshold of 48 hours only the second fires (older than
 * 48 hours from minute 6 on, firing from minute 21 on, after its `for`), and its
 * description quotes the 48 hours. Neither is past its threshold at the start:
 * promtool evaluates the rule groups in no fixed order, so at the first
 * evaluation the recorded threshold may not exist yet.
 */
function backupAgeTests(): string {
  const organization = (id: string, lastBackup: number) => [
    { series: `veeam_vb365_organization_backed_up{server="vb365-a",organization_id="${id}"}`, values: '1x30' },
    {
      series: `veeam_vb365_organization_last_backup_timestamp_seconds{server="vb365-a",organization_id="${id}"}`,
      values: `${lastBackup}x30`,
    },
  ];
  return stringify({
    rule_files: [path.basename(RULES_FILE)],
    evaluation_interval: '1m',
    tests: [
      {
        name: 'a backup age threshold of 48 hours',
        interval: '1m',
        input_series: [
          ...organization('org-23h55m', -(24 * 3600 - 300)),
          ...organization('org-47h55m', -(48 * 3600 - 300)),
        ],
        alert_rule_test: [
          { eval_time: '20m', alertname: 'VB365OrganizationNotBackedUp', exp_alerts: [] },
          {
            eval_time: '21m',
            alertname: 'VB365OrganizationNotBackedUp',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', server: 'vb365-a', organization_id: 'org-47h55m' },
                exp_annotations: {
                  summary: 'VB365 organization org-47h55m on vb365-a has not been backed up for 2d 0h 16m 0s.',
                  description:
                    'The last backup of organization org-47h55m (ID org-47h55m) on VB365 server vb365-a was ' +
                    '2d 0h 16m 0s ago (on 1969-12-30 00:05:00 +0000 UTC), longer than 2d 0h 0m 0s.',
                  runbook_url: `${RUNBOOK_BASE_URL}#vb365organizationnotbackedup`,
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

describe(`VB365OrganizationNotBackedUp follows ${BACKUP_AGE_THRESHOLD}`, () => {
  it('records 24 hours, and no alert holds a number of its own for it', () => {
    const threshold = recordingRules.find((rule) => rule.record === BACKUP_AGE_THRESHOLD);
    expect(threshold?.expr.trim()).toBe('vector(24 * 3600)');
    const rules = alertRules.filter((rule) => rule.alert === 'VB365OrganizationNotBackedUp');
    expect(rules.map((rule) => rule.labels?.['severity']).sort()).toEqual(['critical', 'warning']);
    // The critical rule compares the age with the recorded threshold; neither spells an age itself.
    expect(rules.find((rule) => rule.labels?.['severity'] === 'critical')?.expr).toContain(BACKUP_AGE_THRESHOLD);
    for (const rule of rules) expect(rule.expr).not.toMatch(/86400|3600|\b24\b|\d+[smhd]\b/);
  });

  it('fires at the age recorded there: 48 hours when it says 48 hours', () => {
    const { code, output } = promtoolTest(withRecord(BACKUP_AGE_THRESHOLD, 'vector(48 * 3600)'), backupAgeTests());
    expect(output, output).toContain('SUCCESS');
    expect(code, output).toBe(0);
  });

  it('fails the same tests with the shipped 24 hours, which also fires for the organization 23h55m old', () => {
    const { code, output } = promtoolTest(readFileSync(RULES_FILE, 'utf8'), backupAgeTests());
    expect(code, output).not.toBe(0);
    expect(output).toContain('organization_id="org-23h55m"');
  });
});

describe('alert conventions', () => {
  it('has the alerts the runbook and dashboard refer to', () => {
    expect(alertNames).toEqual(
      expect.arrayContaining([
        'VB365RepositoryUnavailable',
        'VB365OrganizationPollFailing',
        'VB365ServerDown',
        'VB365DataStale',
        'VB365ExporterDown',
        'VB365ExporterAbsent',
        'VB365RepositoryFillingUp',
        'VB365RepositoryLowFreeSpace',
        'VB365ApiErrors',
        'VB365JobFailed',
        'VB365JobWarning',
        'VB365JobDisabled',
        'VB365JobOverdue',
        'VB365OrganizationNotBackedUp',
        'VB365ProxyOffline',
        'VB365ProxyMaintenance',
      ]),
    );
  });

  it.each(alertRules.map((rule) => [rule.alert ?? '', rule] as const))(
    '%s has a severity label, summary, description and runbook_url',
    (name, rule) => {
      expect(name).toMatch(/^VB365[A-Za-z]+$/);
      expect(SEVERITIES).toContain(rule.labels?.['severity']);
      expect(rule.annotations?.['summary']?.trim()).toBeTruthy();
      expect(rule.annotations?.['description']?.trim()).toBeTruthy();
      expect(rule.annotations?.['runbook_url']).toBe(`${RUNBOOK_BASE_URL}#${githubSlug(name)}`);
    },
  );

  it('has a runbook section for every runbook_url, and an alert for every runbook section', () => {
    const anchors = markdownHeadings(readFileSync(RUNBOOK_FILE, 'utf8')).map(githubSlug);
    for (const rule of alertRules) {
      const url = rule.annotations?.['runbook_url'] ?? '';
      const anchor = url.slice(url.indexOf('#') + 1);
      expect(url.slice(0, url.indexOf('#')), `${url} points at the runbook`).toBe(RUNBOOK_BASE_URL);
      expect(anchors, `no heading for ${url} in docs/runbook.md`).toContain(anchor);
    }
    const alertAnchors = alertNames.map(githubSlug);
    // Alert sections are the headings named like alerts (VB365...), whatever else docs/runbook.md has.
    const alertSections = markdownHeadings(readFileSync(RUNBOOK_FILE, 'utf8'))
      .filter((heading) => /^VB365[A-Za-z]+$/.test(heading.trim()))
      .map(githubSlug);
    expect(alertSections.sort()).toEqual([...alertAnchors].sort());
  });

  it('gives every alert section of the runbook its meaning, impact, diagnosis and fix', () => {
    const sections = readFileSync(RUNBOOK_FILE, 'utf8').split(/^#{1,6}\s+/m);
    for (const name of alertNames) {
      const section = sections.find((text) => text.startsWith(`${name}\n`));
      expect(section, `no section ${name} in docs/runbook.md`).toBeDefined();
      for (const part of ['**Meaning.**', '**Impact.**', '**Diagnosis.**', '**Fix.**']) {
        expect(section, `${name} in docs/runbook.md has no ${part}`).toContain(part);
      }
    }
  });

  it("lists every alert in the runbook's table with the severities of its rules", () => {
    const rows = new Map<string, string>();
    for (const match of readFileSync(RUNBOOK_FILE, 'utf8').matchAll(
      /^\| \[(VB365[A-Za-z]+)\]\(#([a-z0-9]+)\) \| ([^|]+) \|/gm,
    )) {
      const [, name = '', anchor = '', severities = ''] = match;
      expect(rows.has(name), `${name} is listed twice`).toBe(false);
      expect(anchor).toBe(githubSlug(name));
      rows.set(name, severities.trim());
    }
    expect([...rows.keys()].sort()).toEqual([...alertNames].sort());
    for (const name of alertNames) {
      const severities = [...new Set(alertRules.filter((r) => r.alert === name).map((r) => r.labels?.['severity']))];
      expect(rows.get(name), `the severity of ${name} in the table`).toBe(severities.join(' / '));
    }
  });

  it('is reached from the README: a Runbook heading (the dashboard links to it) that links to docs/runbook.md', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    expect(markdownHeadings(readme).map(githubSlug)).toContain('runbook');
    expect(readme).toContain('](docs/runbook.md)');
  });

  it('tests every alert both firing and not firing', () => {
    expect(rulesTest.rule_files).toEqual([path.basename(RULES_FILE)]);
    const cases = rulesTest.tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const name of alertNames) {
      const forAlert = cases.filter((c) => c.alertname === name);
      const firing = forAlert.filter((c) => (c.exp_alerts ?? []).length > 0);
      const silent = forAlert.filter((c) => (c.exp_alerts ?? []).length === 0);
      expect(firing.length, `${name} has no test in which it fires`).toBeGreaterThan(0);
      expect(silent.length, `${name} has no test in which it stays silent`).toBeGreaterThan(0);
    }
  });

  it('names recording rules level:metric:operations and tests each of them', () => {
    const tested = new Set(rulesTest.tests.flatMap((test) => (test.promql_expr_test ?? []).map((t) => t.expr.trim())));
    expect(recordingRules.length).toBeGreaterThan(0);
    for (const rule of recordingRules) {
      expect(rule.record).toMatch(/^[a-z0-9_]+:[a-z0-9_]+:[a-z0-9_]+$/);
      expect(tested, `no promql_expr_test for ${rule.record ?? ''}`).toContain(rule.record);
    }
  });
});
