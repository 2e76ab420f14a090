/**
 * One poll cycle of one server: choose the API version and list organizations (which also proves the login
 * works), then read every fact of the registry side by side (the organizations' used space at most
 * `poll_concurrency` requests at a time). A failure is recorded against what failed; nothing here throws.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ApiVersion, ServerConfig } from '../config/types.js';
import type { CycleContext, Organization } from '../facts/fact.js';
import { listOrganizations } from '../facts/organizations/index.js';
import { FACTS, type ServerState } from '../facts/registry.js';
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
  let listed: { readonly version: ApiVersion; readonly organizations: readonly Organization[] };
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
  const context: CycleContext = { ...deps, ...listed, signal };
  const previous = deps.previous();
  const values = await Promise.all(FACTS.map((fact) => fact.read(context, previous)));
  return {
    startedMs,
    // After the reads: the cycle includes them.
    finishedMs: clock.now(),
    listing: { ok: true, ...listed },
    reads: new Map(FACTS.map((fact, index) => [fact.name, values[index]])),
  };
}

/** With api_version auto, a 404 on the listing is most likely a downgrade: find the version and list again at once. */
async function chooseVersionAndList(
  deps: CycleDependencies,
  signal: AbortSignal,
): Promise<{ readonly version: ApiVersion; readonly organizations: readonly Organization[] }> {
  const version = await deps.client.chooseVersion(signal);
  try {
    return { version, organizations: await listOrganizations(deps, signal) };
  } catch (error) {
    const chosenAgain = await deps.client.chooseVersion(signal);
    if (chosenAgain === version) throw error;
    return { version: chosenAgain, organizations: await listOrganizations(deps, signal) };
  }
}
