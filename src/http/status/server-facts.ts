/**
 * One line per server of what VB365 says about itself: its build and the API version the exporter reads
 * it with, its own health check (v8) and its licence. What the server has not told yet reads "not known",
 * never a made-up value.
 */
import type { ServerState } from '../../store/types.js';
import { escapeHtml, timeElement } from './format.js';
import { LICENSE_WARNING_DAYS, licenseDaysLeft } from './state-problems.js';

export function serverFactsSection(servers: readonly ServerState[], nowMs: number): string {
  const rows = servers.map(
    (server) =>
      `<tr data-server="${escapeHtml(server.name)}"><th scope="row">${escapeHtml(server.name)}</th><td data-label="VB365">${escapeHtml(server.productVersion ?? 'not known')}</td><td data-label="API">${server.apiVersion ?? 'not known'}</td><td data-label="Health">${health(server)}</td><td data-label="Licence">${license(server, nowMs)}</td></tr>`,
  );
  return `<section id="server-facts" aria-labelledby="server-facts-heading"><h2 id="server-facts-heading">What the servers report</h2>
<div class="scroll cards"><table><caption>Each server's build, the API version the exporter reads it with, its own health check (v8) and its licence</caption>
<thead><tr><th scope="col">Server</th><th scope="col">VB365</th><th scope="col">API</th><th scope="col">Health</th><th scope="col">Licence</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div></section>`;
}

function health(server: ServerState): string {
  const report = server.health;
  if (report === undefined)
    return server.apiVersion === undefined || server.apiVersion === 'v8' ? 'not known' : 'not reported before v8';
  if (report.healthy) return '<span class="badge ok">healthy</span>';
  const failing = report.components.filter((component) => !component.healthy).map((component) => component.name);
  return `<span class="badge critical">unhealthy</span>${failing.length === 0 ? '' : ` ${escapeHtml(failing.join(', '))}`}`;
}

function license(server: ServerState, nowMs: number): string {
  const license = server.license;
  if (license === undefined) return 'not known';
  const expired = license.status === 'Expired' || (license.expiresMs !== null && license.expiresMs <= nowMs);
  // Flagged as the warning alert and the problem rows flag it.
  const ending = (licenseDaysLeft(license, nowMs) ?? Number.POSITIVE_INFINITY) < LICENSE_WARNING_DAYS;
  const badge = expired
    ? '<span class="badge critical">expired</span>'
    : ending
      ? '<span class="badge warning">expires soon</span>'
      : `<span class="badge ok">${escapeHtml(license.status === '' ? 'valid' : license.status.toLowerCase())}</span>`;
  const kind = [license.type, license.package].filter((part) => part !== '').join(', ');
  const users =
    license.usedUsers === null
      ? ''
      : `, ${license.usedUsers}${license.totalUsers === null ? '' : ` of ${license.totalUsers}`} users`;
  const full =
    license.usedUsers !== null &&
    license.totalUsers !== null &&
    license.totalUsers > 0 &&
    license.usedUsers >= license.totalUsers
      ? ' <span class="badge warning">all users used</span>'
      : '';
  const expires =
    license.expiresMs === null ? '' : `, ${expired ? 'expired' : 'expires'} ${timeElement(license.expiresMs, nowMs)}`;
  return `${badge} ${escapeHtml(kind)}${users}${full}${expires}`;
}
