// Opt-in control endpoints for a standalone simulator (`--control`), so a running exporter can be shown
// an upgrade or a downgrade without restarting the server it polls. Outside every VB365 path.
import { errorAnswer, jsonAnswer, type Answer } from './answer.js';
import { API_VERSIONS, type ApiVersion } from './types.js';

export const CONTROL_PREFIX = '/_simulator/';

export interface ControlTarget {
  readonly versions: readonly ApiVersion[];
  setVersions(versions: readonly ApiVersion[]): void;
  setProductVersion(build: string | undefined): void;
  setExtendedViewFailure(status: number | undefined): void;
}

/**
 * `GET /_simulator/versions`: the served versions; `PUT` with a body such as `v6,v7`: serve those.
 * `PUT /_simulator/product-version` with a build (empty: the per-version default).
 * `PUT /_simulator/extended-view-failure` with a status such as `500` (empty: the extended view works).
 */
export function handleControl(target: ControlTarget, method: string, pathname: string, body: string): Answer {
  const name = pathname.slice(CONTROL_PREFIX.length).toLowerCase();
  if (name === 'versions') {
    if (method === 'PUT') {
      const list = body
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .filter((v) => v !== '');
      const unknown = list.filter((v) => !API_VERSIONS.some((known) => known === v));
      if (unknown.length > 0) return errorAnswer(400, undefined, `unknown API versions: ${unknown.join(', ')}`);
      target.setVersions(list as ApiVersion[]);
    } else if (method !== 'GET') {
      return errorAnswer(405, undefined, 'GET or PUT');
    }
    return jsonAnswer(200, { versions: [...target.versions] });
  }
  if (name === 'product-version') {
    if (method !== 'PUT') return errorAnswer(405, undefined, 'PUT');
    const build = body.trim();
    target.setProductVersion(build === '' ? undefined : build);
    return jsonAnswer(200, { productVersion: build === '' ? null : build });
  }
  if (name === 'extended-view-failure') {
    if (method !== 'PUT') return errorAnswer(405, undefined, 'PUT');
    const text = body.trim();
    const status = text === '' ? undefined : Number(text);
    if (status !== undefined && !(Number.isInteger(status) && status >= 400 && status <= 599)) {
      return errorAnswer(400, undefined, `an error status (400-599) or nothing, got '${text}'`);
    }
    target.setExtendedViewFailure(status);
    return jsonAnswer(200, { extendedViewFailure: status ?? null });
  }
  return errorAnswer(404, undefined, `no control endpoint ${pathname}`);
}
