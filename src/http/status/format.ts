/** How the status page writes bytes and times. */

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(2)} ${units[unit]}`;
}

/**
 * "just now", "45 s ago", "4 min ago", "3 h ago", "2 d ago"; ahead of now (an expiry date, or a clock
 * ahead of ours) "in 5 s", "in 20 d".
 */
export function relativeTime(atMs: number, nowMs: number): string {
  const seconds = Math.round((nowMs - atMs) / 1000);
  if (seconds < 0) return `in ${span(-seconds)}`;
  if (seconds < 10) return 'just now';
  return `${span(seconds)} ago`;
}

function span(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/** A <time> element: the relative time, and the exact UTC time on hover (and for machines). */
export function timeElement(atMs: number, nowMs: number): string {
  const iso = new Date(atMs).toISOString();
  return `<time datetime="${iso}" title="${iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}">${relativeTime(atMs, nowMs)}</time>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
