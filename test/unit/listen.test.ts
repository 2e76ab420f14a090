/** The HTTP server's listen step: a failure to listen is a configuration error, a later error is logged. */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { listen } from '../../src/http/listen.js';
import { createLogger } from '../../src/logger.js';
import { LogCapture } from '../support/harness.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function newServer(): Server {
  const server = createServer((_request, response) => response.end('ok'));
  servers.push(server);
  return server;
}

describe('listen', () => {
  it('turns an address in use into a ConfigError naming the setting', async () => {
    const taken = newServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    const error: unknown = await listen(newServer(), '127.0.0.1', port, createLogger('silent')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `listen address (VB365_LISTEN_ADDRESS or listen_address): expected an address this host can listen on, got 127.0.0.1:${port} (EADDRINUSE)`,
    );
  });

  it('logs every error the server meets after it listens, and keeps serving', async () => {
    const logs = new LogCapture();
    const server = newServer();
    await listen(server, '127.0.0.1', 0, createLogger('info', logs));
    const accept = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
    // Twice: the listen-time handler must be gone (it swallowed the first one), and an error with no
    // listener at all would throw here.
    server.emit('error', accept);
    server.emit('error', accept);
    const logged = logs.lines.filter((line) => line['msg'] === 'HTTP server error; still serving');
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ level: 'error', code: 'EMFILE', err: { message: 'accept EMFILE' } });
    expect(server.listeners('error')).toHaveLength(1);
    const port = (server.address() as { port: number }).port;
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
  });
});
