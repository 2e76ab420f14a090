/**
 * Hostile clients: 300 idle TCP connections (connected, never a byte) and 50 slowloris connections (a request
 * line and headers sent one byte at a time, never finished) held open against the exporter's HTTP port, while
 * Prometheus would scrape. Scrapes still answer 200 with every series, well within 2 s, and the exporter
 * neither drops nor answers the hanging connections in the meantime.
 *
 * What protects it: Node's HTTP server is one event loop, so a connection costs a socket and a parser, not a
 * thread or a worker slot, and no connection limit is set that they could fill. The exporter keeps Node 20's
 * defaults, which end both kinds after headersTimeout (60 s, checked every connectionsCheckingInterval,
 * 30 s) with a 408; requestTimeout (300 s) bounds a request whose body trickles. Those timeouts are Node's own
 * and too long to wait for here; the test bounds the hostile connections by count and time instead.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEED_ORGS, expectExported, up } from '../support/fault-checks.js';
import { samples, startHarness, waitFor, type Harness } from '../support/harness.js';

const IDLE_CONNECTIONS = 300;
const SLOWLORIS_CONNECTIONS = 50;
/** A slowloris connection sends one byte per tick (every other connection one per 8 ticks). */
const TICK_MS = 25;
/** What a slowloris connection sends, a byte at a time: a request that never ends its headers. */
const SLOW_REQUEST = `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slowloris: ${'a'.repeat(10_000)}`;
/** The request line and the Host header: the fast half is in its third header line by now. */
const HEADERS_STARTED = 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-'.length;
const SCRAPE_DEADLINE_MS = 2_000;

interface HostileConnection {
  readonly socket: Socket;
  sent: number;
  received: number;
  closed: boolean;
}

let harness: Harness;
const connections: HostileConnection[] = [];
let ticker: NodeJS.Timeout | undefined;

async function open(port: number): Promise<HostileConnection> {
  const socket = connect(port, '127.0.0.1');
  const connection: HostileConnection = { socket, sent: 0, received: 0, closed: false };
  socket.on('data', (chunk: Buffer) => (connection.received += chunk.length));
  socket.on('error', () => undefined); // a reset shows as closed
  socket.once('close', () => (connection.closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  connections.push(connection);
  return connection;
}

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  clearInterval(ticker);
  for (const { socket } of connections) socket.destroy();
  await waitFor(() => connections.every((connection) => connection.closed), 5_000);
  await harness.close();
});

it('300 idle and 50 slowloris connections do not stop a scrape', async () => {
  const port = Number(new URL(harness.exporter.url).port);
  const idle = await Promise.all(Array.from({ length: IDLE_CONNECTIONS }, () => open(port)));
  const slow = await Promise.all(Array.from({ length: SLOWLORIS_CONNECTIONS }, () => open(port)));
  const fast = slow.filter((_, index) => index % 2 === 0);
  const slower = slow.filter((_, index) => index % 2 === 1);
  let tick = 0;
  ticker = setInterval(() => {
    tick++;
    for (const connection of tick % 8 === 0 ? slow : fast) {
      if (connection.closed || connection.sent >= SLOW_REQUEST.length) continue;
      connection.socket.write(SLOW_REQUEST[connection.sent] ?? '');
      connection.sent++;
    }
  }, TICK_MS);
  // Half are in their headers, half still in the request line: both kinds of unfinished request are held.
  await waitFor(
    () => fast.every((connection) => connection.sent > HEADERS_STARTED) && slower.every((c) => c.sent >= 3),
    5_000,
  );
  expect(slower.every((connection) => connection.sent < 'GET /metrics HTTP/1.1\r\n'.length)).toBe(true);

  for (let scrape = 1; scrape <= 3; scrape++) {
    const started = performance.now();
    const response = await fetch(`${harness.exporter.url}/metrics`, {
      signal: AbortSignal.timeout(SCRAPE_DEADLINE_MS),
      headers: { connection: 'close' },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(performance.now() - started).toBeLessThan(SCRAPE_DEADLINE_MS);
    expect(up(text)).toBe(1);
    for (const id of SEED_ORGS) expectExported(text, harness.simulator, id);
    expect(samples(text, 'veeam_vb365_exporter_build_info')).toHaveLength(1);
  }
  const health = await fetch(`${harness.exporter.url}/healthz`, { signal: AbortSignal.timeout(SCRAPE_DEADLINE_MS) });
  expect(health.status).toBe(200);

  // The hostile connections are all still open, and none got an answer: the scrapes went past them.
  const answered = (list: HostileConnection[]): { closed: number; answered: number } => ({
    closed: list.filter((connection) => connection.closed).length,
    answered: list.filter((connection) => connection.received > 0).length,
  });
  expect(answered(idle)).toEqual({ closed: 0, answered: 0 });
  expect(answered(slow)).toEqual({ closed: 0, answered: 0 });
  expect(idle.every((connection) => connection.sent === 0)).toBe(true);
  expect(slow.every((connection) => connection.sent < SLOW_REQUEST.length)).toBe(true);
});
