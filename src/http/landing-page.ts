/** The page at `/`: where to look, and each server's and organization's last poll at a glance. */
import type { ServerState } from '../store/types.js';

/** Rows per server beyond the failing organizations, which are always all shown. */
export const ROWS_SHOWN = 500;

export function renderLandingPage(servers: readonly ServerState[], version: string): string {
  const rows = servers.map(serverSection).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>VB365 exporter</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
th{background:#f3f3f3}.ok{color:#0a7a2f;font-weight:600}.fail{color:#b00020;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
</style></head><body>
<h1>VB365 exporter</h1>
<p>Version ${escapeHtml(version)} · <a href="/metrics">Metrics</a> · <a href="/healthz">Health</a> · <a href="/readyz">Readiness</a></p>
${rows}
</body></html>
`;
}

function serverSection(server: ServerState): string {
  const status =
    server.cycles === 0
      ? '<span>waiting for the first cycle</span>'
      : server.up
        ? '<span class="ok">up</span>'
        : '<span class="fail">down</span>';
  const lastCycle = server.lastCycleEndMs === undefined ? 'never' : new Date(server.lastCycleEndMs).toISOString();
  const failing = server.organizations.filter((organization) => !organization.pollSuccess).length;
  // Failing organizations first: they are what the person on call is looking for.
  const sorted = [...server.organizations].sort(
    (a, b) => Number(a.pollSuccess) - Number(b.pollSuccess) || a.name.localeCompare(b.name),
  );
  // Every failing organization, but not ten thousand healthy rows: the page stays small and quick.
  const shown = sorted.slice(0, Math.max(failing, ROWS_SHOWN));
  const hidden = sorted.length - shown.length;
  const organizations = shown
    .map((organization) => {
      const used = organization.repositories.reduce(
        (sum, repository) => sum + (repository.usedSpaceBytes ?? 0) + (repository.objectStorageUsedSpaceBytes ?? 0),
        0,
      );
      return `<tr data-organization-id="${organization.id}" class="${organization.pollSuccess ? 'org-ok' : 'org-failed'}"><td>${escapeHtml(organization.name)}</td><td><code>${organization.id}</code></td>
<td>${organization.pollSuccess ? '<span class="ok">ok</span>' : '<span class="fail">failed</span>'}</td><td>${escapeHtml(organization.lastError ?? '')}</td>
<td class="num">${organization.repositories.length}</td><td class="num">${formatBytes(used)}</td></tr>`;
    })
    .join('\n');
  return `<section data-server="${escapeHtml(server.name)}"><h2>${escapeHtml(server.name)}: ${status}</h2>
<p>Last cycle: ${lastCycle}${server.lastCycleDurationSeconds === undefined ? '' : ` (${server.lastCycleDurationSeconds.toFixed(1)} s)`}${server.lastError === undefined ? '' : ` · <span class="fail">${escapeHtml(server.lastError)}</span>`}</p>
<p class="summary">${server.organizations.length} organizations · ${failing === 0 ? 'none failing' : `<span class="fail">${failing} failing</span>`}</p>
<table><thead><tr><th>Organization</th><th>ID</th><th>Last poll</th><th>Error</th><th>Repositories</th><th>Used (repository + object storage)</th></tr></thead>
<tbody>${organizations}</tbody></table>${hidden === 0 ? '' : `<p class="more">and ${hidden} more organizations, all polled successfully (every one is in <a href="/metrics">/metrics</a>)</p>`}</section>`;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(2)} ${units[unit]}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
