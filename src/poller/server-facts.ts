/**
 * What a cycle reads about the server beside the organizations: its build (ServiceInstance), its licence,
 * its health (v8 only) and, on v6/v7, the object storage listing that repositories point into. One request
 * each per cycle, run beside the organization polls; a failure is logged and counted, keeps that fact's
 * last value, and never fails the cycle's organization polls.
 */
import type { Logger } from 'pino';
import type { ApiVersion } from '../config/types.js';
import type { ServerFacts } from '../store/types.js';
import type { Vb365Client } from '../vb365/client.js';
import { describeError } from '../vb365/errors.js';

export type FactsClient = Pick<Vb365Client, 'serviceInstance' | 'license' | 'health' | 'objectStorageRepositories'>;

export async function readServerFacts(
  client: FactsClient,
  version: ApiVersion,
  logger: Logger,
  signal: AbortSignal,
): Promise<ServerFacts> {
  const kept = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      logger.warn({ reason: describeError(error) }, `could not read the ${what}; keeping the last known values`);
      return undefined;
    }
  };
  const [serviceInstance, license, health, objectStorages] = await Promise.all([
    kept('server version (ServiceInstance)', () => client.serviceInstance(signal)),
    kept('licence', () => client.license(signal)),
    version === 'v8' ? kept('server health', () => client.health(signal)) : undefined,
    version === 'v8'
      ? undefined
      : kept('object storage repositories', async () => {
          const listing = await client.objectStorageRepositories(signal);
          if (listing.rejectedCount > 0)
            logger.warn(
              {
                rejected: listing.rejectedCount,
                reasons: listing.rejected.map((item) => `item ${item.index}: ${item.reason}`),
              },
              'skipped invalid items in the object storage repositories answer',
            );
          return listing.items;
        }),
  ]);
  return { apiVersion: version, serviceInstance, license, health, objectStorages };
}
