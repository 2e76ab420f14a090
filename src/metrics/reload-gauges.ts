/**
 * A pair of reload gauges, named as Prometheus names its own: whether the last reload was applied (1) or
 * refused with what was in force kept (0), and when one last succeeded. Labelled where one pair serves
 * several sources (a ca_file per server).
 */
import { Gauge, type LabelValues, type Registry } from 'prom-client';

export interface ReloadGaugeNames {
  readonly successful: string;
  readonly successfulHelp: string;
  readonly lastSuccess: string;
  readonly lastSuccessHelp: string;
}

/** What to tell of each reload: whether it was applied, and when. */
export type ReloadReport = (successful: boolean, atMs: number) => void;

export class ReloadGauges<L extends string> {
  private readonly successful: Gauge<L>;
  private readonly lastSuccess: Gauge<L>;

  constructor(registry: Registry, names: ReloadGaugeNames, labelNames: readonly L[]) {
    const registers = [registry];
    this.successful = new Gauge({ name: names.successful, help: names.successfulHelp, labelNames, registers });
    this.lastSuccess = new Gauge({ name: names.lastSuccess, help: names.lastSuccessHelp, labelNames, registers });
  }

  /** Starts at 1, at `loadedAtMs` (the load at start-up counts as the first). */
  track(labels: LabelValues<L>, loadedAtMs: number): ReloadReport {
    this.successful.set(labels, 1);
    this.lastSuccess.set(labels, loadedAtMs / 1000);
    return (successful, atMs) => {
      this.successful.set(labels, successful ? 1 : 0);
      if (successful) this.lastSuccess.set(labels, atMs / 1000);
    };
  }

  forget(labels: LabelValues<L>): void {
    this.successful.remove(labels);
    this.lastSuccess.remove(labels);
  }
}
