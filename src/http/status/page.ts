/**
 * The status page at `/`, for the person on call: what is wrong first (or one line saying nothing is),
 * then each server's overview, then the organizations (bounded, with a filter). Plain HTML and CSS; the
 * one script only refreshes and filters. Status is said in words as well as colour.
 */
import type { ServerConfig } from '../../config/types.js';
import type { Problem } from '../../facts/fact.js';
import type { OrganizationState } from '../../facts/organizations/index.js';
import { SECTIONS, type ServerState } from '../../facts/registry.js';
import { REFRESH_SECONDS, SCRIPT, STYLE } from './assets.js';
import { escapeHtml, formatBytes, timeElement } from './format.js';
import { serverOverview, usedBytes } from './overview.js';
import { PROBLEM_LABELS, findProblems } from './problems.js';
import { serverFactsSection } from './server-facts.js';

/** Healthy organization rows per server; failing ones come first and are all shown, up to MAX_FAILING_ROWS. */
export const ROWS_SHOWN = 500;
/** Failing organization rows per server: a server down fails all its organizations for one reason, which one problem row says. */
export const MAX_FAILING_ROWS = 500;

export interface StatusPageInput {
  readonly servers: readonly ServerState[];
  readonly configured: ReadonlyArray<Pick<ServerConfig, 'name' | 'pollIntervalSeconds'>>;
  readonly nowMs: number;
  readonly version: string;
  /** Where the metrics are served. */
  readonly metricsPath: string;
}

export function renderStatusPage(input: StatusPageInput): string {
  const { servers, nowMs } = input;
  const problems = findProblems(servers, input.configured, nowMs);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>VB365 exporter</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head><body>
<header><h1>VB365 exporter</h1>
<p class="meta">Version ${escapeHtml(input.version)} · <a href="${escapeHtml(input.metricsPath)}">Metrics</a> · <a href="/healthz">Health</a> · <a href="/readyz">Readiness</a> · rendered ${timeElement(nowMs, nowMs)}</p>
<p id="refresh" class="meta" hidden><span id="refresh-state">This page refreshes itself every ${REFRESH_SECONDS} s.</span> <button type="button" id="pause">Pause</button></p>
</header>
<main>
${problemsSection(problems, nowMs)}
${overviewSection(servers, nowMs)}
${serverFactsSection(servers, nowMs)}
${SECTIONS.map((fact) => fact.section?.(servers, nowMs) ?? '').join('\n')}
${organizationsSection(servers, nowMs, input.metricsPath)}
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}

function problemsSection(problems: readonly Problem[], nowMs: number): string {
  if (problems.length === 0) {
    return `<section id="problems" aria-labelledby="problems-heading"><h2 id="problems-heading">Problems</h2>
<p class="all-clear ok">No problems. Checked for: ${escapeHtml([...PROBLEM_LABELS.values()].join(', '))}.</p></section>`;
  }
  const rows = problems.map((problem) => {
    const more = (problem.sampleOf ?? problem.organizations) - problem.sample.length;
    const names = `${problem.sample.map(escapeHtml).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
    const usedBy = problem.kind === 'repository-unavailable' ? `used by ${problem.organizations}: ` : '';
    const sample = problem.sample.length === 0 ? '' : `<br><span class="note">${usedBy}${names}</span>`;
    const since = problem.sinceMs === undefined ? escapeHtml(problem.sinceText) : timeElement(problem.sinceMs, nowMs);
    return `<tr class="problem" data-kind="${problem.kind}"><td><span class="badge ${problem.severity}">${escapeHtml(PROBLEM_LABELS.get(problem.kind) ?? problem.kind)}</span></td><td data-label="Server">${escapeHtml(problem.server)}</td><td>${escapeHtml(problem.what)}${sample}</td><td data-label="Since">${since}</td><td class="words" data-label="VB365 says">${escapeHtml(problem.words)}</td></tr>`;
  });
  return `<section id="problems" aria-labelledby="problems-heading"><h2 id="problems-heading">Problems (${problems.length})</h2>
<div class="scroll cards"><table><caption>Most urgent first. "Since" is when the exporter first saw it, or the oldest last success.</caption>
<thead><tr><th scope="col">Problem</th><th scope="col">Server</th><th scope="col">What</th><th scope="col">Since</th><th scope="col">VB365 says</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div></section>`;
}

function overviewSection(servers: readonly ServerState[], nowMs: number): string {
  const rows = servers.map((server) => {
    const overview = serverOverview(server);
    const status =
      server.cycles === 0
        ? '<span class="badge warning">waiting for the first cycle</span>'
        : server.up
          ? '<span class="badge ok">up</span>'
          : '<span class="badge critical">down</span>';
    const lastCycle =
      server.lastCycleEndMs === undefined
        ? 'never'
        : `${timeElement(server.lastCycleEndMs, nowMs)}${server.lastCycleDurationSeconds === undefined ? '' : ` (${server.lastCycleDurationSeconds.toFixed(1)} s)`}`;
    const failing = overview.failing === 0 ? '' : ` <span class="badge critical">${overview.failing} failing</span>`;
    return `<tr data-server="${escapeHtml(server.name)}"><th scope="row">${escapeHtml(server.name)}</th><td>${status}</td><td data-label="Last cycle">${lastCycle}</td><td class="num" data-label="Organizations">${overview.organizations}${failing}</td><td class="num" data-label="Repositories">${overview.repositories}</td><td class="num" data-label="In repositories">${formatBytes(overview.used.repository)}</td><td class="num" data-label="Local cache">${formatBytes(overview.used.localCache)}</td><td class="num" data-label="Object storage">${formatBytes(overview.used.objectStorage)}</td><td class="num" data-label="Used">${formatBytes(overview.used.total)}</td></tr>`;
  });
  return `<section id="overview" aria-labelledby="overview-heading"><h2 id="overview-heading">Servers</h2>
<div class="scroll cards"><table><thead><tr><th scope="col">Server</th><th scope="col">Status</th><th scope="col">Last cycle</th><th scope="col">Organizations</th><th scope="col">Repositories</th><th scope="col">In repositories</th><th scope="col">Local cache</th><th scope="col">Object storage</th><th scope="col">Used</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>
<p class="note">Used = in repositories + local cache + object storage (UsedRepositories <code>usedSpaceBytes</code> + <code>localCacheUsedSpaceBytes</code> + <code>objectStorageUsedSpaceBytes</code>), summed over every organization and repository: the dashboard's and the recording rule <code>vb365:server_used_bytes:sum</code>'s definition. Values of a failing organization are its last known ones.</p></section>`;
}

function organizationsSection(servers: readonly ServerState[], nowMs: number, metricsPath: string): string {
  const tables = servers.map((server) => organizationTable(server, nowMs, metricsPath));
  return `<section id="organizations" aria-labelledby="organizations-heading"><h2 id="organizations-heading">Organizations</h2>
<p id="filter-box" hidden><label for="filter">Filter by name, ID or error </label><input type="search" id="filter" autocomplete="off"> <span id="filter-count" class="note" aria-live="polite"></span></p>
${tables.join('\n')}</section>`;
}

function organizationTable(server: ServerState, nowMs: number, metricsPath: string): string {
  if (server.organizations.length === 0) {
    return `<h3>${escapeHtml(server.name)}</h3>\n<p class="note">No organizations known for ${escapeHtml(server.name)} yet.</p>`;
  }
  const failing: OrganizationState[] = [];
  const healthy: OrganizationState[] = [];
  for (const organization of server.organizations) (organization.pollSuccess ? healthy : failing).push(organization);
  const byName = (a: OrganizationState, b: OrganizationState): number => a.name.localeCompare(b.name);
  // Failing organizations first: they are what the person on call is looking for.
  const shownFailing = failing.sort(byName).slice(0, MAX_FAILING_ROWS);
  const shownHealthy = healthy.sort(byName).slice(0, ROWS_SHOWN);
  const rows = [...shownFailing, ...shownHealthy].map((organization) => organizationRow(organization, nowMs));
  const hiddenFailing = failing.length - shownFailing.length;
  const hiddenHealthy = healthy.length - shownHealthy.length;
  const notes = [
    hiddenFailing === 0 ? '' : `${hiddenFailing} more failing organizations are not listed`,
    hiddenHealthy === 0 ? '' : `and ${hiddenHealthy} more organizations, all polled successfully, are not listed`,
  ].filter((note) => note !== '');
  const more =
    notes.length === 0
      ? ''
      : `<p class="more note">${notes.join('; ')} (every one is in <a href="${escapeHtml(metricsPath)}">${escapeHtml(metricsPath)}</a>).</p>`;
  return `<h3>${escapeHtml(server.name)}</h3>
<div class="scroll"><table data-server="${escapeHtml(server.name)}"><caption>${server.organizations.length} organizations on ${escapeHtml(server.name)}, failing first</caption>
<thead><tr><th scope="col">Organization</th><th scope="col">ID</th><th scope="col">Last poll</th><th scope="col">Last success</th><th scope="col">Error</th><th scope="col">Repositories</th><th scope="col">Used</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>${more}`;
}

function organizationRow(organization: OrganizationState, nowMs: number): string {
  const status = organization.pollSuccess
    ? '<span class="badge ok">ok</span>'
    : '<span class="badge critical">failed</span>';
  const lastSuccess =
    organization.lastSuccessMs === undefined ? 'never' : timeElement(organization.lastSuccessMs, nowMs);
  return `<tr data-organization-id="${organization.id}" class="${organization.pollSuccess ? 'org-ok' : 'org-failed'}"><td>${escapeHtml(organization.name)}</td><td><code>${organization.id}</code></td><td>${status}</td><td>${lastSuccess}</td><td class="words">${escapeHtml(organization.lastError ?? '')}</td><td class="num">${organization.repositories.length}</td><td class="num">${formatBytes(usedBytes([organization]).total)}</td></tr>`;
}
