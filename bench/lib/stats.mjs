/** Summaries of measured durations. */

/** Nearest-rank quantile of an ascending list. */
function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
    mean: sorted.length === 0 ? NaN : sum / sorted.length,
  };
}

export const median = (values) => summarize(values).p50;

/** `median (min-max)` of repeated runs, the spread the report shows. */
export function spread(values, digits = 0) {
  const { p50, min, max } = summarize(values);
  if (values.length <= 1) return p50.toFixed(digits);
  return `${p50.toFixed(digits)} (${min.toFixed(digits)}-${max.toFixed(digits)})`;
}
