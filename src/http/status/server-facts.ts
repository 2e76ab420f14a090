/**
 * One line per server of what VB365 says about itself, one column per cell a fact offers (src/facts/).
 * What the server has not told yet reads "not known", never a made-up value.
 */
import { COLUMNS, type ServerState } from '../../facts/registry.js';
import { escapeHtml } from './format.js';

export function serverFactsSection(servers: readonly ServerState[], nowMs: number): string {
  const rows = servers.map(
    (server) =>
      `<tr data-server="${escapeHtml(server.name)}"><th scope="row">${escapeHtml(server.name)}</th>${COLUMNS.map((column) => `<td data-label="${column.heading}">${column.cell(server, nowMs)}</td>`).join('')}</tr>`,
  );
  return `<section id="server-facts" aria-labelledby="server-facts-heading"><h2 id="server-facts-heading">What the servers report</h2>
<div class="scroll cards"><table><caption>Each server's ${inWords(COLUMNS.map((column) => column.describes))}</caption>
<thead><tr><th scope="col">Server</th>${COLUMNS.map((column) => `<th scope="col">${column.heading}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div></section>`;
}

/** "a, b and c". */
function inWords(parts: readonly string[]): string {
  return parts.length < 2 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}`;
}
