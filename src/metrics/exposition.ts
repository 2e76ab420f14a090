/**
 * Renders the store as Prometheus text exposition (version 0.0.4). The whole text is built once per
 * completed cycle, not at every scrape: scrapes only send it.
 *
 * At 10,000 organizations the text is about 37 MB in 240,000 lines, so it is written piece by piece
 * into large buffers: no line, label set or 37 MB string is ever built as a string, so a rendering
 * allocates next to nothing on the JavaScript heap besides the buffers themselves. /metrics takes it
 * in pieces of 1 MiB (renderExpositionInPieces), compressing each as it comes.
 */
import type { ServerConfig } from '../config/types.js';
import { objectStorageOf } from '../store/object-storage.js';
import type { OrganizationState, ServerState } from '../store/types.js';
import { BYTES_PER_SIZE_LIMIT_GB } from '../vb365/parse.js';
import type { BackupRepository, ObjectStorage, UsedRepository } from '../vb365/types.js';

const CACHED = 'Cached from the last poll of the VB365 server.';

/** What the exposition takes from the configuration rather than from the store. */
export type ConfiguredServer = Pick<ServerConfig, 'name' | 'pollIntervalSeconds'>;

/** A server as one rendering sees it. */
interface View {
  readonly server: ServerState;
  /** From the configuration; undefined for a server it does not name (no sample). */
  readonly pollIntervalSeconds: number | undefined;
  /** `server="..."`, escaped once per rendering. */
  readonly serverLabels: string;
}

/**
 * Writes one sample of a family: the server's labels, then organization_id and repository_id when given,
 * then `extra` (already escaped, starting with a comma). A null or undefined value gives no sample
 * (never a made-up 0). The line is written in pieces, never built as a string (see the file comment).
 */
type Emit = (value: number | null | undefined, organizationId?: string, repositoryId?: string, extra?: string) => void;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly samples: (view: View, emit: Emit) => void;
}

function viewOf(server: ServerState, pollIntervalSeconds: number | undefined): View {
  return { server, pollIntervalSeconds, serverLabels: `server="${escapeLabelValue(server.name)}"` };
}

const perOrganization =
  (value: (organization: OrganizationState) => number | undefined) =>
  (view: View, emit: Emit): void => {
    for (const organization of view.server.organizations) emit(value(organization), organization.id);
  };

const perRepository =
  (value: (repository: UsedRepository) => number | null) =>
  (view: View, emit: Emit): void => {
    for (const organization of view.server.organizations) {
      for (const repository of organization.repositories)
        emit(value(repository), organization.id, repository.repositoryId);
    }
  };

const perBackupRepository =
  (value: (repository: BackupRepository) => number | null) =>
  (view: View, emit: Emit): void => {
    for (const repository of view.server.backupRepositories.values()) emit(value(repository), undefined, repository.id);
  };

const flag = (value: boolean | null): number | null => (value === null ? null : value ? 1 : 0);

const perObjectStorage =
  (value: (storage: ObjectStorage) => number | null) =>
  (view: View, emit: Emit): void => {
    for (const repository of view.server.backupRepositories.values()) {
      const storage = objectStorageOf(view.server, repository);
      if (storage !== undefined) emit(value(storage), undefined, repository.id);
    }
  };

const fromLicense =
  (value: (license: NonNullable<ServerState['license']>) => number | null) =>
  (view: View, emit: Emit): void => {
    if (view.server.license !== undefined) emit(value(view.server.license));
  };

const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

/** Names and details are labels of an info metric (value 1), so the byte gauges keep stable label sets. */
function repositoryInfo(view: View, emit: Emit): void {
  for (const organization of view.server.organizations) {
    if (organization.repositories.length === 0) continue;
    const organizationName = `,organization_name="${escapeLabelValue(organization.name)}"`;
    for (const repository of organization.repositories) {
      const name = view.server.backupRepositories.get(repository.repositoryId)?.name ?? '';
      emit(
        1,
        organization.id,
        repository.repositoryId,
        `${organizationName},repository_name="${escapeLabelValue(name)}",details="${escapeLabelValue(repository.details)}"`,
      );
    }
  }
}

const FAMILIES: readonly Family[] = [
  {
    name: 'veeam_vb365_up',
    help: 'Whether the last poll cycle could log in to the VB365 server and list organizations (1) or not (0).',
    samples: (view, emit) => {
      if (view.server.cycles > 0) emit(view.server.up ? 1 : 0);
    },
  },
  {
    name: 'veeam_vb365_poll_cycle_duration_seconds',
    help: 'Duration of the last completed poll cycle of the VB365 server.',
    samples: (view, emit) => emit(view.server.lastCycleDurationSeconds),
  },
  {
    name: 'veeam_vb365_poll_interval_seconds',
    help: 'Configured seconds between the starts of two poll cycles.',
    samples: (view, emit) => emit(view.pollIntervalSeconds),
  },
  {
    name: 'veeam_vb365_organization_poll_success',
    help: `Whether the last poll of the organization's used repositories succeeded (1) or failed (0). ${CACHED}`,
    samples: perOrganization((organization) => (organization.pollSuccess ? 1 : 0)),
  },
  {
    name: 'veeam_vb365_organization_last_success_timestamp_seconds',
    help: `Unix time of the last successful poll of the organization's used repositories. ${CACHED}`,
    samples: perOrganization((organization) =>
      organization.lastSuccessMs === undefined ? undefined : organization.lastSuccessMs / 1000,
    ),
  },
  {
    name: 'veeam_vb365_repository_used_space_bytes',
    help: `Space the organization's backups occupy in the backup repository (usedSpaceBytes). ${CACHED}`,
    samples: perRepository((repository) => repository.usedSpaceBytes),
  },
  {
    name: 'veeam_vb365_repository_local_cache_used_space_bytes',
    help: `Space the organization's data occupies in the local cache of a repository extended with object storage (localCacheUsedSpaceBytes). ${CACHED}`,
    samples: perRepository((repository) => repository.localCacheUsedSpaceBytes),
  },
  {
    name: 'veeam_vb365_repository_object_storage_used_space_bytes',
    help: `Space the organization's backups occupy in object storage (objectStorageUsedSpaceBytes). ${CACHED}`,
    samples: perRepository((repository) => repository.objectStorageUsedSpaceBytes),
  },
  {
    name: 'veeam_vb365_repository_available',
    help: `Whether the backup repository is available for backup and restore (isAvailable: 1) or not (0). ${CACHED}`,
    samples: perRepository((repository) => (repository.isAvailable ? 1 : 0)),
  },
  {
    name: 'veeam_vb365_backup_repositories_last_success_timestamp_seconds',
    help: 'Unix time the backup repository listing (names, capacity, free space) last succeeded; its values are kept while it fails.',
    samples: (view, emit) =>
      emit(
        view.server.backupRepositoriesListedMs === undefined
          ? undefined
          : view.server.backupRepositoriesListedMs / 1000,
      ),
  },
  {
    name: 'veeam_vb365_backup_repository_capacity_bytes',
    help: `Capacity of the backup repository, where the server reports it (local repositories). ${CACHED}`,
    samples: perBackupRepository((repository) => repository.capacityBytes),
  },
  {
    name: 'veeam_vb365_backup_repository_free_space_bytes',
    help: `Free space of the backup repository, where the server reports it (local repositories). ${CACHED}`,
    samples: perBackupRepository((repository) => repository.freeSpaceBytes),
  },
  {
    name: 'veeam_vb365_repository_info',
    help: `Names and details of a repository an organization uses; always 1. ${CACHED}`,
    samples: repositoryInfo,
  },
  {
    name: 'veeam_vb365_repository_protected_objects',
    help: `Objects (mailboxes, sites, ...) of the organization protected in the backup repository (v8 protectedObjectsCount). ${CACHED}`,
    samples: perRepository((repository) => repository.protectedObjectsCount),
  },
  {
    name: 'veeam_vb365_server_info',
    help: 'The VB365 build (ServiceInstance version, empty until read) and the REST API version the exporter reads the server with now; always 1.',
    samples: (view, emit) => {
      const { apiVersion, productVersion } = view.server;
      if (apiVersion !== undefined)
        emit(
          1,
          undefined,
          undefined,
          `,version="${escapeLabelValue(productVersion ?? '')}",api_version="${apiVersion}"`,
        );
    },
  },
  {
    name: 'veeam_vb365_server_healthy',
    help: `Whether the server's own health check (v8 /Health) says Healthy (1) or Unhealthy (0); none for v6/v7. ${CACHED}`,
    samples: (view, emit) => {
      if (view.server.health !== undefined) emit(view.server.health.healthy ? 1 : 0);
    },
  },
  {
    name: 'veeam_vb365_server_component_healthy',
    help: `Whether each entry of the server's health check (the configuration database, the NATS server) is Healthy (1) or not (0). ${CACHED}`,
    samples: (view, emit) => {
      for (const component of view.server.health?.components ?? [])
        emit(component.healthy ? 1 : 0, undefined, undefined, `,component="${escapeLabelValue(component.name)}"`);
    },
  },
  {
    name: 'veeam_vb365_license_info',
    help: `The installed licence's status (Valid, Expired), type and package; always 1. ${CACHED}`,
    samples: (view, emit) => {
      const license = view.server.license;
      if (license !== undefined)
        emit(
          1,
          undefined,
          undefined,
          `,status="${escapeLabelValue(license.status)}",type="${escapeLabelValue(license.type)}",package="${escapeLabelValue(license.package)}"`,
        );
    },
  },
  {
    name: 'veeam_vb365_license_used_users',
    help: `Users the licence is used by (usedNumber). ${CACHED}`,
    samples: fromLicense((license) => license.usedUsers),
  },
  {
    name: 'veeam_vb365_license_total_users',
    help: `Users the licence covers (totalNumber). ${CACHED}`,
    samples: fromLicense((license) => license.totalUsers),
  },
  {
    name: 'veeam_vb365_license_new_users',
    help: `Users newly licensed this month (newNumber). ${CACHED}`,
    samples: fromLicense((license) => license.newUsers),
  },
  {
    name: 'veeam_vb365_license_expiry_timestamp_seconds',
    help: `Unix time the licence expires (licenseExpires; v6 expirationDate). ${CACHED}`,
    samples: fromLicense((license) => seconds(license.expiresMs)),
  },
  {
    name: 'veeam_vb365_license_grace_period_expiry_timestamp_seconds',
    help: `Unix time the licence's grace period ends (gracePeriodExpires; v7 and v8). ${CACHED}`,
    samples: fromLicense((license) => seconds(license.gracePeriodExpiresMs)),
  },
  {
    name: 'veeam_vb365_backup_repository_info',
    help: `Every backup repository the server lists, with its name and VB365's reason when it is out of order; always 1. ${CACHED}`,
    samples: (view, emit) => {
      for (const repository of view.server.backupRepositories.values())
        emit(
          1,
          undefined,
          repository.id,
          `,repository_name="${escapeLabelValue(repository.name)}",out_of_order_reason="${escapeLabelValue(repository.outOfOrderReason)}"`,
        );
    },
  },
  {
    name: 'veeam_vb365_backup_repository_out_of_sync',
    help: `Whether VB365 reports the repository out of sync with its object storage (isOutOfSync: 1) or not (0). ${CACHED}`,
    samples: perBackupRepository((repository) => flag(repository.isOutOfSync)),
  },
  {
    name: 'veeam_vb365_backup_repository_outdated',
    help: `Whether VB365 reports the repository outdated, its format older than the server's (isOutdated, v8: 1) or not (0). ${CACHED}`,
    samples: perBackupRepository((repository) => flag(repository.isOutdated)),
  },
  {
    name: 'veeam_vb365_backup_repository_out_of_order',
    help: `Whether VB365 reports the repository out of order, the Invalid state (isOutOfOrder, v8: 1) or not (0). ${CACHED}`,
    samples: perBackupRepository((repository) => flag(repository.isOutOfOrder)),
  },
  {
    name: 'veeam_vb365_backup_repository_object_storage_used_bytes',
    help: `Space used in the object storage behind the repository (usedSpaceBytes; v8 embedded, v6/v7 objectstoragerepositories). ${CACHED}`,
    samples: perObjectStorage((storage) => storage.usedSpaceBytes),
  },
  {
    name: 'veeam_vb365_backup_repository_object_storage_free_bytes',
    help: `Free space the server reports for the object storage behind the repository (freeSpaceBytes). ${CACHED}`,
    samples: perObjectStorage((storage) => storage.freeSpaceBytes),
  },
  {
    name: 'veeam_vb365_backup_repository_object_storage_size_limit_bytes',
    help: `The size limit set on the object storage, only where sizeLimitEnabled (sizeLimitGB x ${BYTES_PER_SIZE_LIMIT_GB}: Veeam documents only "GB"; taken as 2^30, see README). ${CACHED}`,
    samples: perObjectStorage((storage) => storage.sizeLimitBytes),
  },
];

/** Where the rendering goes: bytes (what /metrics serves) or strings (tests and tools); both write the same text. */
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
  const views = servers.map((server) => viewOf(server, intervals.get(server.name)));
  for (const family of FAMILIES) {
    out.ascii(`# HELP ${family.name} ${family.help}\n# TYPE ${family.name} gauge\n`);
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
      family.samples(view, emit);
      yield;
    }
  }
}

/**
 * The exposition as UTF-8 bytes, ready to send and compress: what /metrics serves. `sizeHint` (the size
 * of the previous rendering) lets it write straight into one buffer of about the right size.
 */
export function renderExpositionBuffer(
  servers: readonly ServerState[],
  configured: readonly ConfiguredServer[],
  sizeHint = 0,
): Buffer {
  const out = new BufferWriter(sizeHint);
  runToEnd(renderSteps(servers, configured, out));
  return out.finish();
}

/** The size of the pieces renderExpositionInPieces writes into. */
export const PIECE_BYTES = 1024 * 1024;

/**
 * The same bytes as renderExpositionBuffer, in pieces of at most PIECE_BYTES (unless one label value is
 * longer): each step yields the pieces it filled (the last one the rest), so a caller can compress them
 * while the rendering goes on and never holds the whole text. Each piece is a view of a PIECE_BYTES buffer
 * from `takeBuffer`, which a caller may hand out again once it is done with the piece. The states must not
 * change until the last step.
 */
export function* renderExpositionInPieces(
  servers: readonly ServerState[],
  configured: readonly ConfiguredServer[],
  takeBuffer: () => Buffer = () => Buffer.allocUnsafeSlow(PIECE_BYTES),
): Generator<Buffer[], void, undefined> {
  const out = new BufferWriter(0, takeBuffer);
  const steps = renderSteps(servers, configured, out);
  while (steps.next().done !== true) yield out.takeFilled();
  yield [out.finishPiece()];
}

function runToEnd(steps: Generator<void, void, undefined>): void {
  while (steps.next().done !== true) continue;
}

/** The exposition as text (the same lines; for tests and tools). */
export function renderExposition(servers: readonly ServerState[], configured: readonly ConfiguredServer[]): string {
  const parts: string[] = [];
  const write = (text: string): void => {
    parts.push(text);
  };
  const out: Sink = { ascii: write, text: write, number: (value) => parts.push(formatValue(value)) };
  runToEnd(renderSteps(servers, configured, out));
  return parts.join('');
}

const NEEDS_ESCAPE = /[\\\n"]/;

export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
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
 * Appends text to a buffer sized from the hint (plus room to grow), then to 1 MiB buffers if it fills
 * up. A rendering that fits the first buffer is returned without a copy; otherwise the pieces are
 * joined once at the end. ASCII pieces and integers are stored byte by byte: measured at 10,000
 * organizations, building each line as a string (and Buffer.write flattening it) allocated ~60 MB a
 * rendering, 6 KB per organization.
 */
class BufferWriter implements Sink {
  private readonly chunks: Buffer[] = [];
  private chunk: Buffer;
  private used = 0;
  private total = 0;

  constructor(
    sizeHint: number,
    /** Buffers of PIECE_BYTES to write into (pieces); without it, buffers are allocated as needed. */
    private readonly takeBuffer?: () => Buffer,
  ) {
    this.chunk = takeBuffer?.() ?? Buffer.allocUnsafe(Math.max(PIECE_BYTES, Math.ceil(sizeHint * 1.0625)));
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
    const filled = this.chunks.splice(0);
    this.total = 0;
    return filled;
  }

  finish(): Buffer {
    const last = this.chunk.subarray(0, this.used);
    // One well-filled buffer is kept as it is; a mostly empty one is copied so its spare room is freed.
    if (this.chunks.length === 0 && this.used >= this.chunk.length / 2) return last;
    this.chunks.push(last);
    return Buffer.concat(this.chunks, this.total + this.used);
  }

  /** The last piece as it is, never copied (the pieces' buffers are handed back, not kept). */
  finishPiece(): Buffer {
    return this.chunk.subarray(0, this.used);
  }

  private nextChunk(atLeast: number): void {
    this.chunks.push(this.chunk.subarray(0, this.used));
    this.total += this.used;
    this.chunk =
      this.takeBuffer !== undefined && atLeast <= PIECE_BYTES
        ? this.takeBuffer()
        : Buffer.allocUnsafe(Math.max(PIECE_BYTES, atLeast));
    this.used = 0;
  }
}
