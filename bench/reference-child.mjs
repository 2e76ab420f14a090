/**
 * The two references for /metrics, in a process of their own, serving the exporter's data as read
 * from its /metrics once:
 *  - static: the same bytes from a buffer (and a gzip made once, at the exporter's level 1) with bare
 *    node:http, the lower bound;
 *  - prom-client: a prom-client registry whose gauges hold the same samples, plus prom-client's default
 *    metrics as the exporter has, rendered by registry.metrics() (and gzipped) at every scrape.
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import process from 'node:process';
import { setImmediate } from 'node:timers';
import { promisify } from 'node:util';
import { gzip as gzipCallback, gzipSync } from 'node:zlib';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { request } from 'undici';
import { parseExposition } from '../test/support/exposition-parser.js';
import { ready, serve } from './lib/ipc.mjs';

const gzip = promisify(gzipCallback);
const { metricsUrl } = JSON.parse(process.argv[2] ?? '{}');
const response = await request(metricsUrl);
const text = await response.body.text();
const contentType = response.headers['content-type'] ?? 'text/plain; version=0.0.4; charset=utf-8';

// Only the VB365 data families: the exporter's own part is what collectDefaultMetrics makes here too.
const families = parseExposition(text).filter(
  (family) => family.name.startsWith('veeam_vb365_') && family.type === 'gauge',
);
const plain = Buffer.from(text);
const compressed = gzipSync(plain, { level: 1 });

const registry = new Registry();
collectDefaultMetrics({ register: registry });
for (const family of families) {
  const labelNames = [...new Set(family.samples.flatMap((sample) => Object.keys(sample.labels)))];
  const gauge = new Gauge({ name: family.name, help: family.help, labelNames, registers: [registry] });
  for (const sample of family.samples) gauge.set(sample.labels, sample.value);
}

function send(res, body, compressedBody) {
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': body.length,
    ...(compressedBody ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(body);
}
const wantsGzip = (req) => /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');

const staticServer = createServer((req, res) =>
  wantsGzip(req) ? send(res, compressed, true) : send(res, plain, false),
);
const promClientServer = createServer((req, res) => {
  registry.metrics().then(
    async (rendered) => {
      const body = Buffer.from(rendered);
      if (wantsGzip(req)) send(res, await gzip(body, { level: 1 }), true);
      else send(res, body, false);
    },
    (error) => res.destroy(error),
  );
});
const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
const staticUrl = await listen(staticServer);
const promClientUrl = await listen(promClientServer);

serve({ close: () => setImmediate(() => process.exit(0)) });
ready({
  staticUrl,
  promClientUrl,
  bytes: plain.length,
  gzipBytes: compressed.length,
  samples: families.reduce((sum, family) => sum + family.samples.length, 0),
});
