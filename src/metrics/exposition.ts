/**
 * Renders the store as Prometheus text exposition (version 0.0.4): the families of every fact, in the
 * registry's order (src/facts/registry.ts). The whole text is built once per completed cycle, not at every
 * scrape: scrapes only send it.
 *
 * At 10,000 organizations the text is about 37 MB in 240,000 lines, so it is written piece by piece
 * into large buffers: no line, label set or 37 MB string is ever built as a string, so a rendering
 * allocates next to nothing on the JavaScript heap besides the buffers themselves. /metrics takes it
 * in pieces of 1 MiB, compressing each as it comes.
 */
import type { ServerConfig } from '../config/types.js';
import type { Emit, FamilyView } from '../facts/fact.js';
import { FAMILIES, type ServerState } from '../facts/registry.js';
import { escapeLabelValue } from './label-value.js';

/** What the exposition takes from the configuration rather than from the store. */
export type ConfiguredServer = Pick<ServerConfig, 'name' | 'pollIntervalSeconds'>;

/** Where the rendering goes. */
interface Sink {
  /** Text that is ASCII in all but rare cases (names of metrics and labels, UUIDs). */
  ascii(text: string): void;
  /** Any text (label values from the configuration or the server). */
  text(text: string): void;
  number(value: number): void;
}

/** Writes the exposition into `out`, pausing after each family of each server (a few MB at the most at 10,000 organizations). */
function* renderSteps(
  servers: readonly ServerState[],
  configured: readonly ConfiguredServer[],
  out: Sink,
): Generator<void, void, undefined> {
  const intervals = new Map(configured.map((server) => [server.name, server.pollIntervalSeconds]));
  const views = servers.map((server) => ({
    server,
    pollIntervalSeconds: intervals.get(server.name),
    // Escaped once per rendering.
    serverLabels: `server="${escapeLabelValue(server.name)}"`,
  }));
  for (const family of FAMILIES) {
    out.ascii(`# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type ?? 'gauge'}\n`);
    const { name } = family;
    for (const view of views) {
      const emit: Emit = (value, organizationId, repositoryId, extra) => {
        if (value === null || value === undefined) return;
        out.ascii(name);
        out.ascii('{');
        out.text(view.serverLabels);
        if (organizationId !== undefined) {
          out.ascii(',organization_id="');
          out.ascii(organizationId);
          out.ascii('"');
        }
        if (repositoryId !== undefined) {
          out.ascii(',repository_id="');
          out.ascii(repositoryId);
          out.ascii('"');
        }
        if (extra !== undefined) out.text(extra);
        out.ascii('} ');
        out.number(value);
        out.ascii('\n');
      };
      family.samples(view satisfies FamilyView<ServerState>, emit);
      yield;
    }
  }
}

/** The size of the pieces renderExpositionInPieces writes into. */
export const PIECE_BYTES = 1024 * 1024;

/**
 * The exposition as UTF-8 bytes, in pieces of at most PIECE_BYTES (unless one label value is longer): each step yields the pieces it filled (the last one the rest), so a caller can compress them
 * while the rendering goes on and never holds the whole text. Each piece is a view of a PIECE_BYTES buffer
 * from `takeBuffer`, which a caller may hand out again once it is done with the piece. The states must not
 * change until the last step.
 */
export function* renderExpositionInPieces(
  servers: readonly ServerState[],
  configured: readonly ConfiguredServer[],
  takeBuffer: () => Buffer = () => Buffer.allocUnsafeSlow(PIECE_BYTES),
): Generator<Buffer[], void, undefined> {
  const out = new BufferWriter(takeBuffer);
  const steps = renderSteps(servers, configured, out);
  while (steps.next().done !== true) yield out.takeFilled();
  yield [out.finishPiece()];
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Most bytes a UTF-16 code unit can take in UTF-8. */
const MAX_BYTES_PER_UNIT = 3;
/** Digits of the largest safe integer. */
const MAX_DIGITS = 16;

/**
 * Appends text to buffers of PIECE_BYTES, handing each over as it fills. ASCII pieces and integers are
 * stored byte by byte: measured at 10,000
 * organizations, building each line as a string (and Buffer.write flattening it) allocated ~60 MB a
 * rendering, 6 KB per organization.
 */
class BufferWriter implements Sink {
  private readonly chunks: Buffer[] = [];
  private chunk: Buffer;
  private used = 0;

  /** `takeBuffer`: buffers of PIECE_BYTES to write into. */
  constructor(private readonly takeBuffer: () => Buffer) {
    this.chunk = takeBuffer();
  }

  ascii(text: string): void {
    const length = text.length;
    if (this.used + length > this.chunk.length) this.nextChunk(length * MAX_BYTES_PER_UNIT);
    const { chunk } = this;
    let at = this.used;
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      if (code >= 0x80) {
        // Not ASCII after all: the rest goes through the UTF-8 encoder.
        this.used = at;
        this.text(text.slice(index));
        return;
      }
      chunk[at++] = code;
    }
    this.used = at;
  }

  text(text: string): void {
    if (this.used + text.length * MAX_BYTES_PER_UNIT > this.chunk.length)
      this.nextChunk(text.length * MAX_BYTES_PER_UNIT);
    this.used += this.chunk.write(text, this.used, 'utf8');
  }

  number(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      this.ascii(formatValue(value));
      return;
    }
    if (this.used + MAX_DIGITS > this.chunk.length) this.nextChunk(MAX_DIGITS);
    // The digits of a non-negative safe integer, as String() writes them.
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    const { chunk } = this;
    let rest = value;
    for (let at = this.used + digits - 1; at >= this.used; at--) {
      chunk[at] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.used += digits;
  }

  /** The buffers filled so far (not the one being written), handed over: the writer keeps no reference. */
  takeFilled(): Buffer[] {
    return this.chunks.splice(0);
  }

  /** The last piece as it is, never copied (the pieces' buffers are handed back, not kept). */
  finishPiece(): Buffer {
    return this.chunk.subarray(0, this.used);
  }

  private nextChunk(atLeast: number): void {
    this.chunks.push(this.chunk.subarray(0, this.used));
    // A label value longer than a piece gets a buffer of its own.
    this.chunk = atLeast <= PIECE_BYTES ? this.takeBuffer() : Buffer.allocUnsafe(atLeast);
    this.used = 0;
  }
}
