#!/usr/bin/env node
// Runs the simulator standalone: node packages/vb365-simulator/dist/cli.js --port 4443 --organizations 50
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator } from './server.js';
import { API_VERSIONS, type ApiVersion, type SimulatorOptions } from './types.js';

const USAGE = `Usage: vb365-simulator [options]
  --host <addr>                  listen address (default 127.0.0.1)
  --port <n>                     listen port (default 4443, 0 = random)
  --organizations <n>            generated organizations after the seed ones (default 0)
  --repositories-per-organization <n>  (default 2)
  --page-size <n>                most items per page (default 10000)
  --latency-ms <n>               delay before every answer (default 0)
  --token-lifetime-seconds <n>   access token lifetime (default 3600)
  --versions <list>              served API versions, e.g. v6,v8 (default v6,v7,v8)
  --username <name> --password <secret>
  --no-seed                      only generated organizations
  --plain-http                   HTTP instead of HTTPS
  --ca-file <path>               write the self-signed certificate (PEM) there to trust it
  --json                         print one JSON line {url, username, password, ca}
  --help`;

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} expects a non-negative integer, got '${text}'`);
  return value;
}

function versions(text: string | undefined): ApiVersion[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((v) => v.trim().toLowerCase());
  const unknown = list.filter((v) => !API_VERSIONS.some((known) => known === v));
  if (unknown.length > 0) throw new Error(`--versions: unknown ${unknown.join(', ')}`);
  return API_VERSIONS.filter((v) => list.includes(v));
}

function parseOptions(argv: string[]): { options: SimulatorOptions; caFile?: string; json: boolean } | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      organizations: { type: 'string' },
      'repositories-per-organization': { type: 'string' },
      'page-size': { type: 'string' },
      'latency-ms': { type: 'string' },
      'token-lifetime-seconds': { type: 'string' },
      versions: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'no-seed': { type: 'boolean' },
      'plain-http': { type: 'boolean' },
      'ca-file': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;
  const options: SimulatorOptions = {
    port: integer('port', values.port) ?? 4443,
    tls: !values['plain-http'],
    seed: !values['no-seed'],
  };
  const set = <K extends keyof SimulatorOptions>(key: K, value: SimulatorOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('host', values.host);
  set('organizationCount', integer('organizations', values.organizations));
  set('repositoriesPerOrganization', integer('repositories-per-organization', values['repositories-per-organization']));
  set('pageSize', integer('page-size', values['page-size']));
  set('latencyMs', integer('latency-ms', values['latency-ms']));
  set('tokenLifetimeSeconds', integer('token-lifetime-seconds', values['token-lifetime-seconds']));
  set('versions', versions(values.versions));
  set('username', values.username);
  set('password', values.password);
  const parsed: { options: SimulatorOptions; caFile?: string; json: boolean } = { options, json: values.json ?? false };
  if (values['ca-file'] !== undefined) parsed.caFile = values['ca-file'];
  return parsed;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (!parsed) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const simulator = await startSimulator(parsed.options);
  if (parsed.caFile !== undefined && simulator.ca !== undefined) writeFileSync(parsed.caFile, simulator.ca);
  if (parsed.json) {
    const { url, username, password, ca } = simulator;
    process.stdout.write(`${JSON.stringify({ url, username, password, ca: ca ?? null })}\n`);
  } else {
    process.stdout.write(
      [
        `VB365 simulator listening on ${simulator.url}`,
        `  username: ${simulator.username}`,
        `  password: ${simulator.password}`,
        `  organizations: ${simulator.data.organizations.size}, backup repositories: ${simulator.data.backupRepositories.size}`,
        simulator.ca === undefined
          ? '  plain HTTP'
          : parsed.caFile !== undefined
            ? `  self-signed certificate written to ${parsed.caFile}`
            : '  self-signed certificate (use --ca-file to save it, or --json to print it)',
        '',
      ].join('\n'),
    );
  }
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`vb365 simulator failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
