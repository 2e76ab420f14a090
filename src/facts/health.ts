/**
 * The server's own health check: `GET /v8/Health` (anonymous; v8 only) once a cycle. An unhealthy server
 * answers 503 with the same report. After a switch to v6/v7 the last v8 report would be stale for good: it goes.
 */
import type { ApiVersion } from '../config/types.js';
import { escapeHtml } from '../http/status/format.js';
import { label } from '../metrics/label-value.js';
import { Vb365Error } from '../vb365/errors.js';
import { isObject } from '../vb365/fields.js';
import type { Route } from '../vb365/routes.js';
import type { CycleState, Fact } from './fact.js';
import { keptOnFailure } from './reading.js';
import { CACHED, serverProblem } from './wording.js';

/** `GET /v8/Health`. */
export interface HealthReport {
  readonly healthy: boolean;
  /** By the entry's key (e.g. the configuration database), in key order. */
  readonly components: ReadonlyArray<{ readonly name: string; readonly healthy: boolean }>;
}

export interface HealthSlice {
  /** As last read with v8; undefined while the server is read with v6/v7 (they have no Health). */
  readonly health: HealthReport | undefined;
}

type View = CycleState & HealthSlice;

const healthRoute = (version: ApiVersion): Route => ({
  endpoint: 'health',
  path: `/${version}/Health`,
  small: true,
});

export function parseHealth(json: unknown): HealthReport {
  const body = object(json, 'the Health answer');
  const healthy = status(body['status'], 'status');
  const entries = body['entries'] ?? {};
  const components = Object.entries(object(entries, '"entries"'))
    .map(([name, entry]) => ({
      name,
      healthy: status(object(entry, `the entry ${JSON.stringify(name)}`)['status'], name),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { healthy, components };
}

function object(json: unknown, what: string): Readonly<Record<string, unknown>> {
  if (!isObject(json)) throw Vb365Error.invalidAnswer(`expected ${what} to be an object`);
  return json;
}

function status(value: unknown, where: string): boolean {
  if (value === 'Healthy') return true;
  if (value === 'Unhealthy') return false;
  throw Vb365Error.invalidAnswer(`the Health answer's ${where} is neither Healthy nor Unhealthy`);
}

const failingComponents = (report: HealthReport): string[] =>
  report.components.filter((component) => !component.healthy).map((component) => component.name);

function healthCell(server: View): string {
  const report = server.health;
  if (report === undefined)
    return server.apiVersion === undefined || server.apiVersion === 'v8' ? 'not known' : 'not reported before v8';
  if (report.healthy) return '<span class="badge ok">healthy</span>';
  const failing = failingComponents(report);
  return `<span class="badge critical">unhealthy</span>${failing.length === 0 ? '' : ` ${escapeHtml(failing.join(', '))}`}`;
}

export const healthFact: Fact<View, HealthSlice, HealthReport | undefined> = {
  name: 'health',
  initial: { health: undefined },
  read: async (context) =>
    context.version === 'v8'
      ? keptOnFailure(context, 'server health', () =>
          context.client.anonymousObject(healthRoute, parseHealth, [503], context.signal),
        )
      : undefined,
  next: (previous, read, end) =>
    end.version === undefined
      ? { health: previous.health }
      : { health: end.version === 'v8' ? (read ?? previous.health) : undefined },
  families: [
    {
      name: 'veeam_vb365_server_healthy',
      help: `Whether the server's own health check (v8 /Health) says Healthy (1) or Unhealthy (0); none for v6/v7. ${CACHED}`,
      samples: ({ server }, emit) => {
        if (server.health !== undefined) emit(server.health.healthy ? 1 : 0);
      },
    },
    {
      name: 'veeam_vb365_server_component_healthy',
      help: `Whether each entry of the server's health check (the configuration database, the NATS server) is Healthy (1) or not (0). ${CACHED}`,
      samples: ({ server }, emit) => {
        for (const component of server.health?.components ?? [])
          emit(component.healthy ? 1 : 0, undefined, undefined, label('component', component.name));
      },
    },
  ],
  problemKinds: [{ kind: 'server-unhealthy', label: 'Server unhealthy', rank: 20 }],
  problems: (server) => {
    const report = server.health;
    if (report === undefined || report.healthy) return [];
    const failing = failingComponents(report);
    return [
      serverProblem(server, {
        kind: 'server-unhealthy',
        severity: 'critical',
        what: 'the server (its own health check)',
        words: `Unhealthy${failing.length === 0 ? '' : `: ${failing.join(', ')}`}`,
      }),
    ];
  },
  columns: [{ heading: 'Health', describes: 'its own health check (v8)', cell: healthCell }],
};
