/** Plain-text tables and the machine description the results carry. */
import console from 'node:console';
import os from 'node:os';
import process from 'node:process';

/** Prints rows (arrays of cells) under a header, columns padded to their widest cell. */
export function printTable(title, header, rows) {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => String(row[column] ?? '').length)),
  );
  const line = (cells) =>
    cells
      .map((cell, column) => String(cell ?? '').padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
  };
}

export const verdict = (ok) => (ok ? 'ok' : 'MISS');
export const ms = (value, digits = 0) => `${value.toFixed(digits)} ms`;
export const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
