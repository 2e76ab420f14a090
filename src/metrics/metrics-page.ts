/**
 * The body of /metrics: the VB365 data, rendered once per completed cycle and kept with its gzip,
 * followed by the exporter's own metrics from prom-client, rendered at each scrape (they are few).
 *
 * The gzip body is two gzip members back to back (RFC 1952 allows a series of members; Prometheus,
 * curl and browsers read them as one stream), so the large part is compressed once per cycle only.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Registry } from 'prom-client';
import type { ServerState } from '../store/types.js';
import { renderExposition } from './exposition.js';

const gzip = promisify(gzipCallback);

export class MetricsPage {
  private data: Buffer;
  private dataGzip: Promise<Buffer> | undefined;

  constructor(
    private readonly registry: Registry,
    servers: readonly ServerState[],
  ) {
    this.data = Buffer.from(renderExposition(servers));
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Called by the store after every cycle. */
  update(servers: readonly ServerState[]): void {
    this.data = Buffer.from(renderExposition(servers));
    this.dataGzip = undefined;
  }

  async body(compressed: boolean): Promise<Buffer[]> {
    const data = this.data;
    const own = Buffer.from(await this.registry.metrics());
    if (!compressed) return [data, own];
    this.dataGzip ??= gzip(data, { level: 6 });
    return [await this.dataGzip, await gzip(own, { level: 6 })];
  }
}
