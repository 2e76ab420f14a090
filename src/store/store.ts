/**
 * The latest state of every server. Each cycle replaces a server's state as a whole (never patched
 * in place), so a reader always sees one consistent cycle; listeners re-render on every change.
 */
import { initialState, nextState, reloadedState } from './next-state.js';
import type { CycleResult, NextState, ServerState } from './types.js';

export class Store {
  private readonly states = new Map<string, ServerState>();
  private readonly listeners: Array<(servers: readonly ServerState[]) => void> = [];

  constructor(servers: ReadonlyArray<{ readonly name: string }>) {
    for (const server of servers) this.states.set(server.name, initialState(server.name));
  }

  /** The server's state now (the initial one before its first cycle): what facts compare a new read with. */
  state(serverName: string): ServerState {
    return this.states.get(serverName) ?? initialState(serverName);
  }

  servers(): readonly ServerState[] {
    return [...this.states.values()];
  }

  private wasReady = false;

  /**
   * True once every server has finished at least one cycle, and from then on: a server added by a reload
   * must not take the pod out of its Service (and its scrapes with it) until its first cycle.
   */
  ready(): boolean {
    this.wasReady ||= [...this.states.values()].every((state) => state.cycles > 0);
    return this.wasReady;
  }

  /**
   * After a reload: servers kept by name keep their state (and so their series), less what lasts only
   * until a reload; new ones start empty; those no longer configured are forgotten, their series with them.
   */
  setServers(servers: ReadonlyArray<{ readonly name: string }>): void {
    const names = new Set(servers.map((server) => server.name));
    for (const [name, state] of this.states) {
      if (names.has(name)) this.states.set(name, reloadedState(state));
      else this.states.delete(name);
    }
    for (const name of names) if (!this.states.has(name)) this.states.set(name, initialState(name));
    const all = this.servers();
    for (const listener of this.listeners) listener(all);
  }

  applyCycle(serverName: string, cycle: CycleResult): NextState {
    const previous = this.states.get(serverName);
    if (previous === undefined) throw new Error(`unknown server ${serverName}`);
    const state = nextState(previous, cycle);
    this.states.set(serverName, state);
    const servers = this.servers();
    for (const listener of this.listeners) listener(servers);
    return { state, previous };
  }

  onChange(listener: (servers: readonly ServerState[]) => void): void {
    this.listeners.push(listener);
  }
}
