/**
 * The body of /metrics: the VB365 data, rendered once per completed cycle and kept with its gzip,
 * followed by the exporter's own metrics from prom-client, rendered at each scrape (they are few;
 * scrapes that arrive together, read by the server in the same event-loop turn, share one rendering).
 *
 * The gzip body is two gzip members back to back (RFC 1952 allows a series of members; Prometheus,
 * curl and browsers read them as one stream), so the large part is compressed once per cycle only.
 * That compression starts as soon as the data is rendered (on libuv's thread pool, off the event
 * loop), so the first scrape after a cycle waits for little or none of it.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback, gzipSync } from 'node:zlib';
import type { Registry } from 'prom-client';
import type { ServerState } from '../store/types.js';
import { renderExpositionBuffer, type ConfiguredServer } from './exposition.js';

const gzip = promisify(gzipCallback);

interface RenderedData {
  readonly plain: Buffer;
  readonly gzip: Promise<Buffer>;
}

/**
 * Level 1: on 24 MB of exposition (10,000 organizations) it takes 134 ms instead of level 6's 234 ms
 * for a body 2.6 % larger (4.65 MiB instead of 4.53): UUIDs leave little for the slower levels to find.
 */
const DATA_GZIP_LEVEL = 1;

function renderData(
  servers: readonly ServerState[],
  configured: readonly ConfiguredServer[],
  previous?: RenderedData,
): RenderedData {
  const plain = renderExpositionBuffer(servers, configured, previous?.plain.length);
  const compressed = gzip(plain, { level: DATA_GZIP_LEVEL });
  // A failure reaches the scrape that awaits it; never an unhandled rejection when no scrape asks for gzip.
  compressed.catch(() => undefined);
  return { plain, gzip: compressed };
}

/** The exporter's own metrics as rendered for one event-loop turn, compressed on first demand. */
class OwnMetrics {
  readonly plain: Buffer;
  private compressed: Buffer | undefined;

  constructor(text: string) {
    this.plain = Buffer.from(text);
  }

  /** A few kB: compressing here (~0.1 ms) costs less than a round trip to the thread pool. */
  gzip(): Buffer {
    this.compressed ??= gzipSync(this.plain, { level: 6 });
    return this.compressed;
  }
}

export class MetricsPage {
  private data: RenderedData;
  private own: Promise<OwnMetrics> | undefined;

  constructor(
    private readonly registry: Registry,
    /** The configured servers: the exposition takes their poll interval from here. */
    private configured: readonly ConfiguredServer[],
    servers: readonly ServerState[],
  ) {
    this.data = renderData(servers, configured);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** After a reload, before the store says which servers there are now. */
  setConfigured(configured: readonly ConfiguredServer[]): void {
    this.configured = configured;
  }

  /** Called by the store after every cycle. */
  update(servers: readonly ServerState[]): void {
    this.data = renderData(servers, this.configured, this.data);
  }

  async body(compressed: boolean): Promise<Buffer[]> {
    const data = this.data;
    const own = await this.ownMetrics();
    if (!compressed) return [data.plain, own.plain];
    return [await data.gzip, own.gzip()];
  }

  /**
   * prom-client's rendering takes ~1 ms; fifty scrapers arriving at once would otherwise take fifty.
   * Shared only within one event-loop turn, so every scrape still sees values of the moment it is read.
   */
  private ownMetrics(): Promise<OwnMetrics> {
    if (this.own === undefined) {
      this.own = this.registry.metrics().then((text) => new OwnMetrics(text));
      setImmediate(() => {
        this.own = undefined;
      });
    }
    return this.own;
  }
}
