/**
 * The body /metrics serves, from MetricsPage directly: the VB365 data kept only as gzip members (one per
 * piece of about 1 MiB) and the text made from them on demand, both exactly the rendered exposition
 * followed by the exporter's own metrics; a rendering superseded by a newer cycle is never served.
 */
import { gunzipSync } from 'node:zlib';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { renderExposition } from '../support/render.js';
import { MetricsPage } from '../../src/metrics/metrics-page.js';
import { initialState } from '../../src/store/next-state.js';
import type { ServerState } from '../../src/store/types.js';
import { T0, configured } from '../support/fuzz-world.js';

/** A server with `count` organizations of two repositories each: about 1.5 KB of text per organization. */
function serverWith(count: number, usedSpaceBytes: number): ServerState {
  const organizations = Array.from({ length: count }, (_, index) => ({
    id: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    name: `Organization ${index}`,
    pollSuccess: true,
    lastSuccessMs: T0,
    lastError: undefined,
    repositories: [1, 2].map((n) => ({
      repositoryId: `00000000-0000-4000-9000-${(index * 2 + n).toString(16).padStart(12, '0')}`,
      usedSpaceBytes: usedSpaceBytes + n,
      localCacheUsedSpaceBytes: n,
      objectStorageUsedSpaceBytes: null,
      isAvailable: true,
      details: '',
      protectedObjectsCount: 7,
    })),
  }));
  return { ...initialState('sim'), cycles: 1, up: true, organizations };
}

function ownRegistry(): Registry {
  const registry = new Registry();
  new Gauge({ name: 'own_metric', help: 'The exporter itself.', registers: [registry] }).set(3);
  return registry;
}

const OWN = '# HELP own_metric The exporter itself.\n# TYPE own_metric gauge\nown_metric 3\n';

describe('MetricsPage', () => {
  it('serves the data as gzip members of about 1 MiB each, and the same text plain, followed by its own metrics', async () => {
    const state = serverWith(5000, 1_000_000);
    const text = renderExposition([state], configured(state));
    expect(Buffer.byteLength(text)).toBeGreaterThan(4 * 1024 * 1024);
    const page = new MetricsPage(ownRegistry(), configured(state), [state]);

    const members = await page.body(true);
    // Each part is a gzip member of its own: several for the data, one for the exporter's own metrics.
    expect(members.length).toBeGreaterThan(4);
    const decompressed = members.map((member) => gunzipSync(member));
    expect(Math.max(...decompressed.map((piece) => piece.length))).toBeLessThanOrEqual(1024 * 1024);
    expect(Buffer.concat(decompressed).toString()).toBe(text + OWN);
    // One stream, as Prometheus reads it.
    expect(gunzipSync(Buffer.concat(members)).toString()).toBe(text + OWN);

    expect(Buffer.concat(await page.body(false)).toString()).toBe(text + OWN);
  });

  it('makes the plain text once per rendering, and again after a cycle, with the new values', async () => {
    const first = serverWith(1000, 1_000_000);
    const page = new MetricsPage(ownRegistry(), configured(first), [first]);
    const plain = await page.body(false);
    const again = await page.body(false);
    // The very same buffers: decompressed once, kept while this rendering is served.
    expect(again.slice(0, -1)).toHaveLength(plain.length - 1);
    again.slice(0, -1).forEach((piece, index) => expect(piece).toBe(plain[index]));

    const second = serverWith(1000, 2_000_000);
    page.update([second]);
    const after = await page.body(false);
    expect(after[0]).not.toBe(plain[0]);
    expect(Buffer.concat(after).toString()).toBe(renderExposition([second], configured(second)) + OWN);
  });

  it('a scrape sees every cycle that ended before it came, and the newest one after a rendering in flight', async () => {
    const states = [1, 2, 3].map((cycle) => serverWith(3000, cycle * 1_000_000));
    const text = (state: ServerState): string => renderExposition([state], configured(state)) + OWN;
    const page = new MetricsPage(ownRegistry(), configured(states[0]!), [states[0]!]);
    await page.rendered();
    page.update([states[1]!]);
    // Arrives while cycle 2 renders: gets cycle 2. Cycle 3 ends meanwhile; the scrape after it gets cycle 3.
    const early = page.body(true);
    page.update([states[2]!]);
    const late = page.body(true);
    expect(gunzipSync(Buffer.concat(await early)).toString()).toBe(text(states[1]!));
    expect(gunzipSync(Buffer.concat(await late)).toString()).toBe(text(states[2]!));
  });

  it('serves scrapes while cycles keep ending faster than it renders (a server failing in a tight loop)', async () => {
    const states = [1, 2].map((cycle) => serverWith(2000, cycle));
    const bodies = states.map((state) => renderExposition([state], configured(state)) + OWN);
    const page = new MetricsPage(ownRegistry(), configured(states[0]!), [states[0]!]);
    let updates = 0;
    const churn = setInterval(() => page.update([states[updates++ % 2]!]), 0);
    try {
      for (let scrape = 0; scrape < 3; scrape++) {
        const before = updates;
        const body = gunzipSync(Buffer.concat(await page.body(true))).toString();
        expect(bodies).toContain(body);
        expect(updates).toBeGreaterThan(before);
      }
    } finally {
      clearInterval(churn);
    }
  });

  it('serves the last good rendering when one fails, and says so through its callback', async () => {
    const good = serverWith(100, 7);
    const failures: string[] = [];
    const page = new MetricsPage(ownRegistry(), configured(good), [good], (error) => failures.push(error.message));
    await page.rendered();
    // A state the renderer cannot walk (no organizations list): a bug, or memory running out mid-rendering.
    const broken = { ...good, organizations: undefined } as unknown as ServerState;
    page.update([broken]);
    await page.rendered();
    expect(failures).toHaveLength(1);
    const expected = renderExposition([good], configured(good)) + OWN;
    expect(gunzipSync(Buffer.concat(await page.body(true))).toString()).toBe(expected);
    expect(Buffer.concat(await page.body(false)).toString()).toBe(expected);
  });
});
