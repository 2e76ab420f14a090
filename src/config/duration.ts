/**
 * Durations in Prometheus' grammar (`30s`, `5m`, `1h30m`, `1d`, `500ms`: units y w d h m s ms, each at
 * most once, largest first), as in prometheus.yml and on every exporter's command line; a bare whole
 * number stays seconds, as this exporter always read it. Hand-written, because duration libraries accept
 * other grammars ("1.5h", "2 hours") that Prometheus refuses, and the grammar is all there is to it.
 */
const UNITS_MS = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
const PROMETHEUS_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or undefined when `text` is neither a Prometheus duration nor whole seconds. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const match = PROMETHEUS_DURATION.exec(trimmed);
  if (match === null || trimmed === '') return undefined;
  const [, ...parts] = match;
  const units = Object.values(UNITS_MS);
  return parts.reduce((total, part, index) => total + (part === undefined ? 0 : Number(part) * (units[index] ?? 0)), 0);
}

/** The shortest way Prometheus would write `ms` (`90s` is `1m30s`), for messages and the docs. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const [unit, size] of Object.entries(UNITS_MS)) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}
