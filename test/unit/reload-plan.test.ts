/** What a reload changes, and the store's readiness across it: pure values, no sockets. */
import { describe, expect, it } from 'vitest';
import { planReload } from '../../src/config/reload-plan.js';
import type { ServerConfig } from '../../src/config/types.js';
import { Store } from '../../src/store/store.js';
import { testExporterConfig, testServerConfig } from '../support/harness.js';

const server = (name: string, index: number, overrides: Partial<ServerConfig> = {}): ServerConfig =>
  testServerConfig({
    name,
    url: `https://${name}.example.com:4443`,
    settingNames: {
      url: `servers[${index}].url`,
      caFile: `servers[${index}].ca_file`,
      tlsInsecure: `servers[${index}].tls_insecure`,
    },
    ...overrides,
  });

describe('planReload', () => {
  it('sorts servers into added, changed, removed and unchanged by name', () => {
    const plan = planReload(
      testExporterConfig([server('a', 0), server('b', 1), server('c', 2)]),
      testExporterConfig([server('a', 0), server('b', 1, { pollConcurrency: 2 }), server('d', 2)]),
    );
    expect(plan.added.map((s) => s.name)).toEqual(['d']);
    expect(plan.changed.map((s) => s.name)).toEqual(['b']);
    expect(plan.removed).toEqual(['c']);
    expect(plan.unchanged).toEqual(['a']);
    expect(plan.needRestart).toEqual([]);
  });

  it('does not restart servers that only moved in the file', () => {
    const plan = planReload(
      testExporterConfig([server('a', 0), server('b', 1)]),
      testExporterConfig([server('b', 0), server('a', 1)]),
    );
    expect(plan.changed).toEqual([]);
    expect([...plan.unchanged].sort()).toEqual(['a', 'b']);
  });

  it('names what only a restart applies', () => {
    const plan = planReload(
      testExporterConfig([server('a', 0)]),
      testExporterConfig([server('a', 0)], { listen: [{ host: '', port: 9100 }], logFormat: 'logfmt' }),
    );
    expect(plan.needRestart).toEqual(['the listen addresses (--web.listen-address)', 'the log format (--log.format)']);
  });
});

describe('Store readiness', () => {
  it('stays ready when a reload adds a server that has not finished a cycle yet', () => {
    const store = new Store([{ name: 'a' }]);
    expect(store.ready()).toBe(false);
    store.applyCycle('a', {
      startedMs: 0,
      finishedMs: 1,
      listing: { ok: true, version: 'v8', organizations: [] },
      reads: new Map(),
    });
    expect(store.ready()).toBe(true);
    store.setServers([{ name: 'a' }, { name: 'b' }]);
    expect(store.ready()).toBe(true);
  });
});
