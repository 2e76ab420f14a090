/** Words several facts share: the HELP note on cached values, and a problem of the server as a whole. */
import type { CycleState, Problem } from './fact.js';

export const CACHED = 'Cached from the last poll of the VB365 server.';

type Fields = Pick<Problem, 'kind' | 'severity' | 'what' | 'words'>;

/** A problem of the server or of one of its repositories: no organization sample, "as last read". */
export function serverProblem(server: Pick<CycleState, 'name'>, fields: Fields, sinceText = 'as last read'): Problem {
  return { ...fields, server: server.name, sinceMs: undefined, sinceText, sample: [], organizations: 0 };
}

/** A name to show, or the ID where the server gives none. */
export function nameOrId(item: { readonly name: string; readonly id: string }): string {
  return item.name === '' ? item.id : item.name;
}
