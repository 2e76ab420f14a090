/**
 * The status page's style and its one script, inline (no external request: the page must work on an
 * air-gapped network), with the Content-Security-Policy that allows exactly this script. Without
 * JavaScript the page is complete; the script adds the 30 s refresh (with a pause) and the filter box.
 */
import { createHash } from 'node:crypto';

export const REFRESH_SECONDS = 30;

export const STYLE = `
:root{color-scheme:light dark;--fg:#1d1d1f;--bg:#fff;--muted:#5f6368;--line:#d0d4d9;--head:#f1f3f5;
--crit:#b00020;--crit-bg:#fde8ec;--warn:#8a5300;--warn-bg:#fff4d6;--ok:#0a7a2f;--ok-bg:#e3f5e8;--link:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--bg:#15171a;--muted:#a0a4aa;--line:#3a3f45;--head:#22262b;
--crit:#ff8a9b;--crit-bg:#3d1820;--warn:#ffc966;--warn-bg:#3a2c0c;--ok:#7ddc95;--ok-bg:#14301d;--link:#8ab4f8}}
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;padding:1rem;max-width:90rem;color:var(--fg);background:var(--bg)}
a{color:var(--link)}h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin:1.6rem 0 .4rem}h3{font-size:1.05rem}
.meta,.note,caption{color:var(--muted)}caption{text-align:left;padding:.2rem 0}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:.3rem 0 1rem}
td,th{border:1px solid var(--line);padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:var(--head);font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;font-weight:700;border-radius:.3rem;padding:0 .35rem;white-space:nowrap}
.critical{color:var(--crit);background:var(--crit-bg)}.warning{color:var(--warn);background:var(--warn-bg)}
.ok{color:var(--ok);background:var(--ok-bg)}.all-clear{font-size:1.1rem;padding:.6rem .8rem;border-radius:.4rem}
code{font-size:.85em;word-break:break-all}.words{max-width:40rem;overflow-wrap:anywhere}
#controls{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.4rem 0}
input[type=search]{font:inherit;padding:.25rem .4rem;min-width:16rem;color:var(--fg);background:var(--bg);border:1px solid var(--line)}
button{font:inherit;padding:.2rem .6rem}
#organizations table{min-width:52rem}
@media (max-width:40rem){body{padding:.5rem;font-size:14px}input[type=search]{min-width:0;width:100%}
.cards table,.cards tbody,.cards tr,.cards td,.cards th{display:block;width:auto}.cards thead{display:none}
.cards tr{border:1px solid var(--line);border-radius:.4rem;margin:0 0 .6rem;padding:.3rem .5rem}
.cards td,.cards th{border:0;padding:.1rem 0;text-align:left}
.cards td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}.cards caption{display:block}}
`;

export const SCRIPT = `(() => {
  const refresh = document.getElementById('refresh');
  const pause = document.getElementById('pause');
  const state = document.getElementById('refresh-state');
  let timer;
  const schedule = () => { timer = setTimeout(() => location.reload(), ${REFRESH_SECONDS * 1000}); };
  const stop = (why) => { clearTimeout(timer); timer = undefined; state.textContent = why; pause.textContent = 'Resume'; };
  refresh.hidden = false;
  schedule();
  pause.addEventListener('click', () => {
    if (timer === undefined) location.reload();
    else stop('Refresh paused.');
  });
  const filter = document.getElementById('filter');
  const counter = document.getElementById('filter-count');
  const rows = [...document.querySelectorAll('tr[data-organization-id]')];
  document.getElementById('filter-box').hidden = false;
  filter.addEventListener('input', () => {
    const words = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const row of rows) {
      const match = words === '' || row.textContent.toLowerCase().includes(words);
      row.hidden = !match;
      if (match) shown++;
    }
    counter.textContent = words === '' ? '' : shown + ' of ' + rows.length + ' rows match';
    if (words !== '' && timer !== undefined) stop('Refresh paused while filtering.');
  });
})();`;

/** Lets this page's inline style and exactly its script run, nothing else. */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'`;
