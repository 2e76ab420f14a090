/** What every fact does when it reads: a failure keeps the last values (and says so), skipped items are logged. */
import type { Logger } from 'pino';
import { describeError } from '../vb365/errors.js';
import type { Listing } from '../vb365/types.js';
import type { CycleContext } from './fact.js';

/** What a read found, or undefined when it failed (logged here): the fact then keeps its last values. */
export async function keptOnFailure<T>(
  context: Pick<CycleContext, 'logger'>,
  what: string,
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    context.logger.warn({ reason: describeError(error) }, `could not read the ${what}; keeping the last known values`);
    return undefined;
  }
}

/** One log line for the items of an answer that were skipped (they are counted by the client). */
export function logRejected(
  logger: Logger,
  what: string,
  listing: Listing<unknown>,
  context: Readonly<Record<string, string>> = {},
): void {
  if (listing.rejectedCount === 0) return;
  logger.warn(
    {
      ...context,
      rejected: listing.rejectedCount,
      reasons: listing.rejected.map((item) => `item ${item.index}: ${item.reason}`),
    },
    `skipped invalid items in the ${what} answer`,
  );
}
