#!/usr/bin/env node
// Runs the simulator standalone: node packages/vb365-simulator/dist/cli.js --port 4443 --organizations 50
import { writeFileSync } from 'node:fs';
import { parseCliOptions, USAGE } from './cli-options.js';
import { startSimulator } from './server.js';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseCliOptions(process.argv.slice(2));
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
  try {
    parsed.applyState(simulator.data);
  } catch (error) {
    await simulator.close();
    throw error;
  }
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
