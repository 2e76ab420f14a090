/** Small conversions of VB365 values into sample values, shared by the facts' families. */

/** Milliseconds as Prometheus seconds; null stays null (no sample). */
export function seconds(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : ms / 1000;
}

/** A boolean as a 1/0 gauge; null (not reported) stays null. */
export function flag(value: boolean | null | undefined): number | null {
  return value === null || value === undefined ? null : value ? 1 : 0;
}
