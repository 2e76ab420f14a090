/**
 * The bench's own HTTP clients: the round trip one request at a time, the shell-script way (a new
 * connection and TLS handshake per organization), a bare undici loop (the floor for a Node client),
 * and /metrics scrapers.
 */
import { setMaxListeners } from 'node:events';
import { Buffer } from 'node:buffer';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { measureAllocation } from './allocation.mjs';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL, URLSearchParams } from 'node:url';
import { Agent, Client } from 'undici';

const API = '/v8';
const usedRepositoriesPath = (id) => `${API}/Organizations/${id}/UsedRepositories?offset=0&limit=10000`;
const ORGANIZATIONS_PATH = `${API}/Organizations?extendedView=false&offset=0&limit=10000`;
const BACKUP_REPOSITORIES_PATH = `${API}/BackupRepositories?offset=0&limit=10000`;

function simulatorAgent(simulator, connections) {
  return new Agent({ connections, keepAliveTimeout: 60_000, connect: { ca: simulator.ca } });
}

async function getJson(dispatcher, simulator, token, path) {
  const { statusCode, body } = await dispatcher.request({
    origin: simulator.url,
    method: 'GET',
    path,
    headers: { accept: 'application/json', authorization: `Bearer ${token}` },
  });
  const json = await body.json();
  if (statusCode !== 200) throw new Error(`${path} answered ${statusCode}`);
  return json;
}

/** An access token; `version` is the API version whose token route is asked (v8 unless told). */
export async function login(simulator, version = 'v8') {
  const agent = simulatorAgent(simulator, 1);
  try {
    const { statusCode, body } = await agent.request({
      origin: simulator.url,
      method: 'POST',
      path: `/${version}/Token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: simulator.username,
        password: simulator.password,
      }).toString(),
    });
    const json = await body.json();
    if (statusCode !== 200) throw new Error(`login answered ${statusCode}`);
    return json.access_token;
  } finally {
    await agent.close();
  }
}

/** Every page of a listing, following `_links.next`. */
async function listAll(dispatcher, simulator, token, firstPath) {
  const items = [];
  for (let path = firstPath; path !== undefined;) {
    const page = await getJson(dispatcher, simulator, token, path);
    items.push(...page.results);
    path = page._links?.next?.href;
  }
  return items;
}

export async function organizationIds(simulator, token) {
  const agent = simulatorAgent(simulator, 1);
  try {
    return (await listAll(agent, simulator, token, ORGANIZATIONS_PATH)).map((organization) => organization.id);
  } finally {
    await agent.close();
  }
}

/** The size of one answer as the server sends it (bytes of the body) and its items: a plain array's length, or a page's. */
export async function answerSize(simulator, version, path) {
  const token = await login(simulator, version);
  const agent = simulatorAgent(simulator, 1);
  try {
    const { statusCode, body } = await agent.request({
      origin: simulator.url,
      method: 'GET',
      path,
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
    });
    const text = await body.text();
    if (statusCode !== 200) throw new Error(`${path} answered ${statusCode}`);
    const json = JSON.parse(text);
    return { bytes: Buffer.byteLength(text), items: Array.isArray(json) ? json.length : json.results.length };
  } finally {
    await agent.close();
  }
}

/** The simulator's round trip: `count` UsedRepositories requests one at a time over one kept-alive connection. */
export async function roundTrip(simulator, token, ids, { count = 200, warmup = 20 } = {}) {
  const client = new Client(simulator.url, { keepAliveTimeout: 60_000, connect: { ca: simulator.ca } });
  const times = [];
  try {
    for (let i = 0; i < warmup + count; i++) {
      const start = performance.now();
      await getJson(client, simulator, token, usedRepositoriesPath(ids[i % ids.length]));
      if (i >= warmup) times.push(performance.now() - start);
    }
  } finally {
    await client.close();
  }
  return times;
}

/** The shell-script way: one organization at a time, each on a new connection with a new TLS handshake (no session reuse). */
export async function oneAtATimeNewConnection(simulator, token, ids) {
  const url = new URL(simulator.url);
  const times = [];
  for (const id of ids) {
    const start = performance.now();
    await new Promise((resolve, reject) => {
      const request = https.get(
        {
          host: url.hostname,
          port: url.port,
          path: usedRepositoriesPath(id),
          ca: simulator.ca,
          agent: false,
          headers: { accept: 'application/json', authorization: `Bearer ${token}` },
        },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () => {
            if (response.statusCode !== 200) reject(new Error(`answered ${response.statusCode}`));
            else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
    });
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * What a cycle asks, with nothing else: list organizations, then every organization's used
 * repositories and the backup repository listing, `connections` at a time over as many connections.
 * Runs `runs` times on the same agent (the first one opens the connections). Returns per run its
 * time, the mean latency of a UsedRepositories request with `connections` in flight, and the CPU
 * time of this process per request.
 */
export async function bareLoop(simulator, token, { connections, runs }) {
  const agent = simulatorAgent(simulator, connections);
  const results = [];
  try {
    for (let run = 0; run < runs; run++) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      let requests = 0;
      let latencySum = 0;
      let organizations = [];
      const allocation = await measureAllocation(() => loop());
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      results.push({
        ms,
        latencyMs: latencySum / requests,
        cpuMsPerRequest: (used.user + used.system) / 1000 / (requests + 2),
        // The same listings and polls as a cycle: what the undici client alone allocates per organization.
        allocatedBytesPerPoll: allocation.allocatedBytes / organizations.length,
        promotedBytesPerPoll: allocation.promotedBytes / organizations.length,
      });
      async function loop() {
        organizations = await listAll(agent, simulator, token, ORGANIZATIONS_PATH);
        const poll = async (id) => {
          const requestStart = performance.now();
          await getJson(agent, simulator, token, usedRepositoriesPath(id));
          latencySum += performance.now() - requestStart;
          requests++;
        };
        const tasks = [
          () => listAll(agent, simulator, token, BACKUP_REPOSITORIES_PATH),
          ...organizations.map((organization) => () => poll(organization.id)),
        ];
        let next = 0;
        const worker = async () => {
          while (next < tasks.length) await tasks[next++]();
        };
        await Promise.all(Array.from({ length: connections }, worker));
      }
    }
  } finally {
    await agent.close();
  }
  return results;
}

/** One /metrics scrape over `client`: resolves its latency (to the last body byte) and size; throws on any failure. */
export async function scrape(client, path, gzip) {
  const start = performance.now();
  const { statusCode, headers, body } = await client.request({
    path,
    method: 'GET',
    headers: gzip ? { 'accept-encoding': 'gzip' } : {},
  });
  let bytes = 0;
  let head;
  for await (const chunk of body) {
    head ??= chunk.subarray(0, 7).toString('latin1');
    bytes += chunk.length;
  }
  const ms = performance.now() - start;
  if (statusCode !== 200) throw new Error(`/metrics answered ${statusCode}`);
  if (Number(headers['content-length']) !== bytes)
    throw new Error(`/metrics body has ${bytes} bytes, announced ${headers['content-length']}`);
  if (gzip !== (headers['content-encoding'] === 'gzip')) throw new Error('/metrics answered the wrong encoding');
  if (gzip ? !head?.startsWith('\x1f\x8b') : head !== '# HELP ')
    throw new Error(`/metrics body starts with ${JSON.stringify(head)}`);
  return { ms, bytes };
}

export function scrapeClient(url) {
  return new Client(new URL(url).origin, { keepAliveTimeout: 60_000, bodyTimeout: 60_000, headersTimeout: 60_000 });
}

/**
 * `scrapers` clients scraping `url` (each its own kept-alive connection, like separate Prometheus
 * servers) until `signal` aborts: back to back, or one scrape per `intervalMs` each (with `aligned`,
 * all of them at the same instants: bursts of `scrapers` concurrent scrapes). Resolves latencies,
 * failures (also latencies by encoding) and bytes.
 */
export async function scrapeUntil(url, { scrapers, gzip, signal, intervalMs = 0, aligned = false }) {
  const latencies = [];
  const byEncoding = { gzip: [], plain: [] };
  const origin = performance.now();
  setMaxListeners(scrapers + 10, signal); // every scraper's pause listens to it
  const failures = [];
  let bytes = 0;
  const path = new URL(url).pathname;
  await Promise.all(
    Array.from({ length: scrapers }, async (_, index) => {
      const client = scrapeClient(url);
      const compressed = typeof gzip === 'function' ? gzip : () => gzip;
      try {
        while (!signal.aborted) {
          const started = performance.now();
          try {
            const result = await scrape(client, path, compressed(index));
            latencies.push(result.ms);
            byEncoding[compressed(index) ? 'gzip' : 'plain'].push(result.ms);
            bytes += result.bytes;
          } catch (error) {
            failures.push(error instanceof Error ? error.message : String(error));
          }
          // Aligned: every scraper starts at the same instants (all at once, each interval); otherwise one interval after its last start.
          const now = performance.now();
          const pause = aligned
            ? Math.ceil((now - origin + 0.5) / intervalMs) * intervalMs - (now - origin)
            : intervalMs - (now - started);
          if (pause > 0 && !signal.aborted) await sleep(pause, undefined, { signal }).catch(() => undefined);
        }
      } finally {
        await client.close();
      }
    }),
  );
  return { latencies, byEncoding, failures, bytes };
}
