/**
 * The body of /metrics: the VB365 data, rendered once per completed cycle and kept compressed,
 * followed by the exporter's own metrics from prom-client, rendered at each scrape (they are few;
 * scrapes that arrive together, read by the server in the same event-loop turn, share one rendering).
 *
 * Only the gzip is kept. At 10,000 organizations the text is 37 MB and its gzip 7.5 MB, and Prometheus
 * always asks for gzip: keeping the text too (and, while a cycle renders, the previous one) was the
 * largest part of the exporter's peak memory. The text is rendered in pieces of 1 MiB, each compressed
 * on libuv's thread pool as soon as it is full and then dropped, pausing for the event loop between
 * steps, so neither the whole text nor a long pause ever happens. A scrape that does not take gzip gets
 * the text decompressed from the members (about 4x faster than rendering it again), made on the first
 * such scrape after a cycle and kept until the next one.
 *
 * The gzip body is a series of gzip members back to back, one per piece and one for the exporter's own
 * metrics (RFC 1952 allows a series of members; Prometheus, curl and browsers read them as one stream).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback, gzipSync } from 'node:zlib';
import type { Registry } from 'prom-client';
import type { ServerState } from '../store/types.js';
import { Coalesced } from './coalesced.js';
import { PIECE_BYTES, renderExpositionInPieces, type ConfiguredServer } from './exposition.js';

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/**
 * Level 1: on 24 MB of exposition (10,000 organizations) it took 134 ms instead of level 6's 234 ms for a
 * body 2.6 % larger (4.65 MiB instead of 4.53): UUIDs leave little for the slower levels to find.
 */
const DATA_GZIP_LEVEL = 1;
/** libuv's thread pool has 4 threads: more pieces waiting for it would only be memory. */
const PIECES_COMPRESSING_AT_MOST = 4;

/**
 * The buffers pieces are written into, handed out again once their piece is compressed. A fresh 1 MiB
 * buffer per piece would be 37 MB of external memory a rendering at 10,000 organizations, freed only
 * when V8 next collects (a rendering allocates too little on the heap to make it collect soon).
 */
class PieceBuffers {
  private readonly free: Buffer[] = [];

  take = (): Buffer => this.free.pop() ?? Buffer.allocUnsafeSlow(PIECE_BYTES);

  /** `piece` is a view of a buffer take() gave (or of a larger one, which is not kept). */
  giveBack(piece: Buffer): void {
    const whole = piece.buffer;
    if (whole.byteLength === PIECE_BYTES && piece.byteOffset === 0 && this.free.length <= PIECES_COMPRESSING_AT_MOST)
      this.free.push(Buffer.from(whole));
  }
}

/** One rendering of the VB365 data. */
class CompressedData {
  private plainText: Promise<Buffer[]> | undefined;

  constructor(readonly gzip: readonly Buffer[]) {}

  /** The text, decompressed on first demand and kept while this rendering is the current one. */
  plain(): Promise<readonly Buffer[]> {
    if (this.plainText === undefined) {
      const made = decompressed(this.gzip);
      this.plainText = made;
      // A failure reaches the scrape that asked; the next one tries again.
      made.catch(() => {
        if (this.plainText === made) this.plainText = undefined;
      });
    }
    return this.plainText;
  }
}

/**
 * The members' text, one member at a time, each into a buffer of its own size: all at once they would
 * each hold a zlib state and growing output chunks together, twice the text's size for a moment.
 */
async function decompressed(members: readonly Buffer[]): Promise<Buffer[]> {
  const pieces: Buffer[] = [];
  for (const member of members) pieces.push(await gunzip(member, { chunkSize: PIECE_BYTES }));
  return pieces;
}

/** Renders and compresses piece by piece. */
async function renderCompressed(
  servers: readonly ServerState[],
  configured: readonly ConfiguredServer[],
  buffers: PieceBuffers,
): Promise<CompressedData> {
  const members: Promise<Buffer>[] = [];
  for (const pieces of renderExpositionInPieces(servers, configured, buffers.take)) {
    for (const piece of pieces) {
      const member = gzip(piece, { level: DATA_GZIP_LEVEL });
      // Awaited below; never an unhandled rejection while it waits.
      member.then(
        () => buffers.giveBack(piece),
        () => undefined,
      );
      members.push(member);
    }
    if (members.length > PIECES_COMPRESSING_AT_MOST)
      await Promise.all(members.slice(0, members.length - PIECES_COMPRESSING_AT_MOST));
    // Scrapes and the polls' answers are served between steps.
    await nextTurn();
  }
  return new CompressedData(await Promise.all(members));
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
  /** One rendering at a time, of the newest states (cycles that end during a rendering share the next). */
  private readonly data: Coalesced<readonly ServerState[], CompressedData>;
  private readonly buffers = new PieceBuffers();
  private own: Promise<OwnMetrics> | undefined;

  constructor(
    private readonly registry: Registry,
    /** The configured servers: the exposition takes their poll interval from here. */
    private configured: readonly ConfiguredServer[],
    servers: readonly ServerState[],
    /** A rendering failed (the last good one is served meanwhile): for a log line and a counter. */
    onRenderFailure: (error: Error) => void = () => undefined,
  ) {
    this.data = new Coalesced(
      (states) => renderCompressed(states, this.configured, this.buffers),
      servers,
      onRenderFailure,
    );
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
    this.data.give(servers);
  }

  /** Resolves once the data of every cycle so far is ready to serve (or its rendering has failed). */
  async rendered(): Promise<void> {
    await this.data.current().catch(() => undefined);
  }

  /** A scrape sees every cycle that ended before it came (waiting for its rendering if need be). */
  async body(compressed: boolean): Promise<Buffer[]> {
    const data = await this.data.current();
    const own = await this.ownMetrics();
    if (!compressed) return [...(await data.plain()), own.plain];
    return [...data.gzip, own.gzip()];
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
