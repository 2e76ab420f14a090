/**
 * One poll cycle of one server: choose the API version and list organizations (which also proves the login
 * works), then read every fact of the registry side by side (the organizations' used space at most
 * `poll_concurrency` requests at a time). A failure is recorded against what failed; nothing here throws.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ApiVersion, ServerConfig } from '../config/types.js';
import type { CycleContext, Fact } from '../facts/fact.js';
import { listOrganizations, type ListedOrganizations } from '../facts/organizations/listing.js';
import { FACTS, type AnyFact, type ServerState } from '../facts/registry.js';
import type { CycleResult } from '../store/types.js';
import type { Vb365Client } from '../vb365/client.js';
import { describeError } from '../vb365/errors.js';

export interface CycleDependencies {
  readonly server: ServerConfig;
  readonly client: Vb365Client;
  readonly owns: (organizationId: string) => boolean;
  /** The server's state before this cycle: facts keep the objects of records read again unchanged (store/unchanged.ts). */
  readonly previous: () => ServerState;
  readonly clock: Clock;
  readonly logger: Logger;
}

export async function runCycle(deps: CycleDependencies, signal: AbortSignal): Promise<CycleResult> {
  const { clock, logger } = deps;
  const startedMs = clock.now();
  deps.client.beginCycle();
  let listed: ListedOrganizations & { readonly version: ApiVersion };
  try {
    listed = await chooseVersionAndList(deps, signal);
  } catch (error) {
    logger.warn({ reason: describeError(error) }, 'could not list organizations; keeping the last known values');
    return {
      startedMs,
      finishedMs: clock.now(),
      listing: { ok: false, error: describeError(error) },
      reads: new Map(),
    };
  }
  const previous = deps.previous();
  // Each fact's read starts once, in the registry's order or when another fact asks for it first.
  const reads = new Map<unknown, Promise<unknown>>();
  const context: CycleContext = {
    ...deps,
    ...listed,
    signal,
    readOf: <Read>(fact: Fact<never, object, Read>): Promise<Read> => {
      let read = reads.get(fact);
      if (read === undefined) {
        read = (fact as AnyFact).read(context, previous);
        reads.set(fact, read);
      }
      return read as Promise<Read>;
    },
  };
  const values = await Promise.all(FACTS.map((fact) => context.readOf(fact)));
  return {
    startedMs,
    // After the reads: the cycle includes them.
    finishedMs: clock.now(),
    listing: { ok: true, version: listed.version, organizations: listed.organizations },
    reads: new Map(FACTS.map((fact, index) => [fact.name, values[index]])),
  };
}

/** With api_version auto, a 404 on the listing is most likely a downgrade: find the version and list again at once. */
async function chooseVersionAndList(
  deps: CycleDependencies,
  signal: AbortSignal,
): Promise<ListedOrganizations & { readonly version: ApiVersion }> {
  const version = await deps.client.chooseVersion(signal);
  try {
    return { version, ...(await listOrganizations(deps, version, signal)) };
  } catch (error) {
    const chosenAgain = await deps.client.chooseVersion(signal);
    if (chosenAgain === version) throw error;
    return { version: chosenAgain, ...(await listOrganizations(deps, chosenAgain, signal)) };
  }
}
