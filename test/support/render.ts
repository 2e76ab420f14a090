/** The production renderer's pieces, joined into one text: what /metrics serves, for tests to read. */
import { PIECE_BYTES, renderExpositionInPieces, type ConfiguredServer } from '../../src/metrics/exposition.js';
import type { ServerState } from '../../src/store/types.js';

/** Piece buffers reused across renderings (as /metrics reuses them): a fresh 1 MiB per small rendering is slow. */
const spare: Buffer[] = [];

export function renderExposition(servers: readonly ServerState[], configured: readonly ConfiguredServer[]): string {
  const taken: Buffer[] = [];
  const take = (): Buffer => {
    const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(PIECE_BYTES);
    taken.push(buffer);
    return buffer;
  };
  const text = Buffer.concat([...renderExpositionInPieces(servers, configured, take)].flat()).toString('utf8');
  spare.push(...taken);
  return text;
}
