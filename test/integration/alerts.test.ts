// Checks the Prometheus rule file alerts/vb365-exporter.rules.yml with the real
// promtool (Debian package `prometheus`): syntax, its unit tests, that a broken
// copy is rejected, and the conventions every alert must follow (labels,
// annotations, a runbook section in README.md, tests that show it firing
// and not firing).
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
const RUNBOOK_FILE = path.join(ALERTS_DIR, '..', 'README.md');
const RUNBOOK_BASE_URL = 'https://github.com/vb365-exporter/vb365-exporter';
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
      expect(anchors, `no heading for ${url} in README.md`).toContain(anchor);
    }
    const alertAnchors = alertNames.map(githubSlug);
    // Alert sections are the headings named like alerts (VB365...), whatever else README.md has.
    const alertSections = markdownHeadings(readFileSync(RUNBOOK_FILE, 'utf8'))
      .filter((heading) => /^VB365[A-Za-z]+$/.test(heading.trim()))
      .map(githubSlug);
    expect(alertSections.sort()).toEqual([...alertAnchors].sort());
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
