/**
 * Starts a node server listening. A failure to listen (address in use, unknown host) is a configuration
 * problem, said in one line naming the setting; an error the server meets later (a failed accept, say)
 * is logged and the server keeps serving.
 */
import type { Server } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError } from '../config/errors.js';

/** `setting`: where the address came from, as the user wrote it, for the message. */
export function listen(
  server: Server,
  host: string,
  port: number,
  logger: Logger,
  setting = 'listen address (VB365_LISTEN_ADDRESS or listen_address)',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onListenError = (error: NodeJS.ErrnoException): void =>
      reject(
        new ConfigError(
          setting,
          'an address this host can listen on',
          `${host}:${port} (${error.code ?? error.message})`,
        ),
      );
    server.once('error', onListenError);
    server.listen({ port, ...(host === '' ? {} : { host }) }, () => {
      server.off('error', onListenError);
      server.on('error', (error: NodeJS.ErrnoException) =>
        logger.error({ err: error, code: error.code }, 'HTTP server error; still serving'),
      );
      resolve();
    });
  });
}
