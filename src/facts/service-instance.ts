/** The server's build: `GET /{v}/ServiceInstance` once a cycle, shown with the API version the exporter reads it with. */
import type { ApiVersion } from '../config/types.js';
import { escapeHtml } from '../http/status/format.js';
import { label } from '../metrics/label-value.js';
import { Vb365Error } from '../vb365/errors.js';
import { isObject } from '../vb365/fields.js';
import type { Route } from '../vb365/routes.js';
import type { CycleState, Fact } from './fact.js';
import { keptOnFailure } from './reading.js';

export interface ServiceInstanceSlice {
  /** The VB365 build (e.g. `8.0.2.159`), as last read. */
  readonly productVersion: string | undefined;
}

type View = CycleState & ServiceInstanceSlice;

const serviceInstanceRoute = (version: ApiVersion): Route => ({
  endpoint: 'service_instance',
  path: `/${version}/ServiceInstance`,
  small: true,
});

/** `GET /{v}/ServiceInstance`. */
export interface ServiceInstance {
  /** The VB365 build, e.g. `8.0.2.159`. */
  readonly version: string;
}

export function parseServiceInstance(json: unknown): ServiceInstance {
  if (!isObject(json)) throw Vb365Error.invalidAnswer('expected the ServiceInstance answer to be an object');
  const version = json['version'];
  if (typeof version !== 'string' || version.trim() === '')
    throw Vb365Error.invalidAnswer('the ServiceInstance answer has no "version"');
  return { version };
}

export const serviceInstanceFact: Fact<View, ServiceInstanceSlice, ServiceInstance | undefined> = {
  name: 'service instance',
  initial: { productVersion: undefined },
  read: (context) =>
    keptOnFailure(context, 'server version (ServiceInstance)', () =>
      context.client.object(serviceInstanceRoute, parseServiceInstance, context.signal),
    ),
  next: (previous, read) => ({ productVersion: read?.version ?? previous.productVersion }),
  families: [
    {
      name: 'veeam_vb365_server_info',
      help: 'The VB365 build (ServiceInstance version, empty until read) and the REST API version the exporter reads the server with now; always 1.',
      samples: ({ server }, emit) => {
        const { apiVersion, productVersion } = server;
        if (apiVersion !== undefined)
          emit(1, undefined, undefined, `${label('version', productVersion ?? '')},api_version="${apiVersion}"`);
      },
    },
  ],
  problemKinds: [],
  problems: () => [],
  columns: [
    { heading: 'VB365', describes: 'build', cell: (server) => escapeHtml(server.productVersion ?? 'not known') },
    {
      heading: 'API',
      describes: 'the API version the exporter reads it with',
      cell: (server) => server.apiVersion ?? 'not known',
    },
  ],
};
