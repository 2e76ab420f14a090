/** The latest known state of each server: built from poll cycles, read by the exposition and the status page. */
import type { ApiVersion } from '../config/types.js';
import type { Organization } from '../facts/fact.js';
import type { ServerState } from '../facts/registry.js';

export type { ServerState } from '../facts/registry.js';

/** What one poll cycle of one server found. */
export interface CycleResult {
  readonly startedMs: number;
  readonly finishedMs: number;
  /** Logging in and listing organizations: when it fails, nothing else was read. */
  readonly listing:
    | { readonly ok: true; readonly version: ApiVersion; readonly organizations: readonly Organization[] }
    | { readonly ok: false; readonly error: string };
  /** What each fact read, by the fact's name; empty when the listing failed. */
  readonly reads: ReadonlyMap<string, unknown>;
}

/** A server's next state, and the one it replaced (for log lines about what changed). */
export interface NextState {
  readonly state: ServerState;
  readonly previous: ServerState;
}
