/**
 * The shape of one VB365 fact (the server's build, its backup repositories, the organizations' used space...):
 * the request(s) it makes and when, how its answer is validated, how its state carries over a cycle
 * (kept on failure), its metric families and its status-page problems. One module per fact, listed in
 * registry.ts; the poller, the store, the exposition and the status page iterate that list and know no
 * fact by name. Data still flows one way: a cycle reads, the store keeps, /metrics and the page render.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ApiVersion, ServerConfig } from '../config/types.js';
import type { Vb365Client } from '../vb365/client.js';

/** What every server's state holds whatever facts there are: the cycles themselves. */
export interface CycleState {
  readonly name: string;
  readonly cycles: number;
  /** Whether the last cycle could log in and list organizations. */
  readonly up: boolean;
  readonly lastError: string | undefined;
  readonly lastCycleEndMs: number | undefined;
  readonly lastCycleDurationSeconds: number | undefined;
  /** The end of the last cycle that could log in and list organizations: since when a down server is down. */
  readonly lastUpMs: number | undefined;
  /** The API version of the last cycle that found one. */
  readonly apiVersion: ApiVersion | undefined;
}

/** An organization the cycle's listing named (and this shard owns). */
export interface Organization {
  readonly id: string;
  readonly name: string;
  /** Its backup state from the listing's extended view; undefined where the cycle listed without it. */
  readonly backup?: OrganizationBackup | undefined;
  /** v8's `backedUpOrganizationId`: the key of its rows in backedupOrganizations. */
  readonly backedUpId?: string | undefined;
}

/** `isBackedup` and `lastBackuptime` of the organization listing's extended view; null where not reported. */
export interface OrganizationBackup {
  readonly backedUp: boolean | null;
  readonly lastBackupMs: number | null;
}

/** What a fact's read gets: the cycle's version and organizations, and the client to ask. */
export interface CycleContext {
  readonly server: ServerConfig;
  /** Whether this shard owns an organization (and so exports what belongs to it). */
  readonly owns: (organizationId: string) => boolean;
  readonly version: ApiVersion;
  /** This cycle's organizations (listed, or configured), only this shard's. */
  readonly organizations: readonly Organization[];
  /** Whether the listing came with its extended view (the organizations' backup state). */
  readonly extendedView: boolean;
  /**
   * Every listed organization (not only this shard's) by the ID backedupOrganizations keys it with: v8's
   * `backedUpOrganizationId`, v6/v7's own ID. Filled only for a server read per repository.
   */
  readonly backedUpIds: ReadonlyMap<string, string>;
  /** Configured organizations the listing does not name (a wrong or deleted ID); none when they are discovered. */
  readonly unlisted: ReadonlySet<string>;
  readonly client: Vb365Client;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /**
   * What another fact reads this cycle (the same read, started once): for a fact that needs a listing some
   * other fact already makes, such as the backup repositories for reading used space per repository.
   */
  readOf<Read>(fact: Fact<never, object, Read>): Promise<Read>;
}

/** How a cycle ended, for a fact's next state. */
export interface CycleEnd {
  readonly finishedMs: number;
  /** This cycle's organizations; undefined when the cycle could not list them (nothing else was read). */
  readonly organizations: readonly Organization[] | undefined;
  /** Why the listing failed, when it did. */
  readonly listingError: string | undefined;
  /** The version the cycle read with; undefined when it could not list. */
  readonly version: ApiVersion | undefined;
}

/**
 * One VB365 fact. `View` is what its families and problems read of a server's state (its own slice, the
 * cycle's fields, and any other fact's slice it names: a public type, never another module's internals);
 * `Slice` is the part of the state it owns; `Read` what one cycle's read hands to `next`.
 * Methods, not function properties: the registry holds facts of different types in one list.
 */
export interface Fact<View extends CycleState, Slice extends object, Read> {
  readonly name: string;
  /** The slice before the first cycle. */
  readonly initial: Slice;
  /**
   * Reads the fact in a cycle that listed organizations, beside the other facts' reads. Never throws: a
   * failure is logged and read as such, and `next` keeps the last known values.
   */
  read(context: CycleContext, previous: View): Promise<Read>;
  /** The slice after a cycle; `read` is undefined when the cycle could not list organizations (nothing was read). */
  next(previous: View, read: Read | undefined, end: CycleEnd): Slice;
  /** The slice after a configuration reload, for what lasts only until one (a fall-back); as it was when absent. */
  afterReload?(previous: View): Slice;
  /** Log lines about what a cycle changed (an organization gone, say), after the state is replaced. */
  logChanges?(previous: View, next: View, logger: Logger): void;
  /** Every metric family of the fact (registry.ts puts them in /metrics' order). */
  readonly families: readonly Family<View>[];
  /** The kinds of problem the fact reports, with their labels and their place in the on-call order. */
  readonly problemKinds: readonly ProblemKind[];
  problems(server: View, context: ProblemContext): Problem[];
  /** Cells of the status page's "What the servers report" table, if the fact has any. */
  readonly columns: readonly ServerColumn<View>[];
  /** A section of its own on the status page (HTML, escaped by the fact), before the organizations. */
  section?(servers: readonly View[], nowMs: number): string;
}

/**
 * Writes one sample of a family: the server's labels, then organization_id and repository_id when given,
 * then `extra` (already escaped, starting with a comma). A null or undefined value gives no sample (never a
 * made-up 0).
 */
export type Emit = (
  value: number | null | undefined,
  organizationId?: string,
  repositoryId?: string,
  extra?: string,
) => void;

/** A server as one rendering sees it. */
export interface FamilyView<State> {
  readonly server: State;
  /** From the configuration; undefined for a server it does not name (no sample). */
  readonly pollIntervalSeconds: number | undefined;
}

export interface Family<State> {
  readonly name: string;
  readonly help: string;
  /** A gauge unless said otherwise. */
  readonly type?: 'counter';
  samples(view: FamilyView<State>, emit: Emit): void;
}

/** A kind of problem: its label on the page and its rank in the on-call order (lower first). */
export interface ProblemKind {
  readonly kind: string;
  readonly label: string;
  readonly rank: number;
}

export interface ProblemContext {
  readonly nowMs: number;
  /** The server's poll interval (the configured one, or the default). */
  readonly pollIntervalSeconds: number;
}

export interface Problem {
  readonly kind: string;
  readonly severity: 'critical' | 'warning';
  readonly server: string;
  /** What is affected, in words: a repository's name, or "12 organizations". */
  readonly what: string;
  /** Since when, when known (milliseconds since the epoch). */
  readonly sinceMs: number | undefined;
  /** Said instead of a time when `sinceMs` is unknown. */
  readonly sinceText: string;
  /** VB365's own words (its error or `details`), or the figures behind the problem. */
  readonly words: string;
  /** A few affected organizations' names (or IDs where a name is empty), or of what `sampleOf` counts. */
  readonly sample: readonly string[];
  /** How many things the sample is drawn from when it names something other than organizations (jobs, say). */
  readonly sampleOf?: number;
  /** How many organizations are affected (0 for a problem of the server or a repository alone). */
  readonly organizations: number;
}

/** One cell of the status page's table of server facts: its heading and its HTML (escaped by the fact). */
export interface ServerColumn<View> {
  readonly heading: string;
  /** What the column shows, for the table's caption ("the API version the exporter reads it with"). */
  readonly describes: string;
  cell(server: View, nowMs: number): string;
}
