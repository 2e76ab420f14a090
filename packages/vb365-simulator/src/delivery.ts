// Writes an answer to the socket: normally at once, or slowly / cut off when a fault rule says so.
import type { ServerResponse } from 'node:http';
import type { Answer } from './answer.js';

export interface DeliveryFaults {
  trickleBytesPerSecond?: number | undefined;
  resetMidBody?: boolean | undefined;
  /** Chunked transfer encoding instead of Content-Length. */
  omitContentLength?: boolean | undefined;
}

const TRICKLE_TICK_MS = 100;
/** Gives the partial body time to leave the TLS layer before the socket is destroyed. */
const RESET_GRACE_MS = 25;

export function deliver(res: ServerResponse, answer: Answer, faults: DeliveryFaults = {}): void {
  const body = Buffer.from(answer.body, 'utf8');
  const headers: Record<string, string | number> = { ...answer.headers };
  if (answer.status !== 204 && !faults.omitContentLength) headers['content-length'] = body.length;
  res.writeHead(answer.status, headers);

  if (faults.resetMidBody) {
    // Content-Length announces the full body, so the client sees a truncated message, not a short one.
    res.flushHeaders();
    const part = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    res.write(part, () => setTimeout(() => res.destroy(), RESET_GRACE_MS).unref());
    return;
  }
  const bytesPerSecond = faults.trickleBytesPerSecond;
  if (bytesPerSecond !== undefined && bytesPerSecond > 0 && body.length > 0) {
    trickle(res, body, bytesPerSecond);
    return;
  }
  res.end(body);
}

function trickle(res: ServerResponse, body: Buffer, bytesPerSecond: number): void {
  res.flushHeaders();
  let sent = 0;
  let allowance = 0;
  const timer = setInterval(() => {
    allowance += (bytesPerSecond * TRICKLE_TICK_MS) / 1000;
    const size = Math.floor(allowance);
    if (size < 1) return;
    allowance -= size;
    const chunk = body.subarray(sent, sent + size);
    sent += chunk.length;
    if (sent >= body.length) {
      clearInterval(timer);
      res.end(chunk);
    } else {
      res.write(chunk);
    }
  }, TRICKLE_TICK_MS);
  res.once('close', () => clearInterval(timer));
}
