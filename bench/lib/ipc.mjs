/**
 * Request/answer messages between the bench and its child processes (simulator, exporter, reference
 * servers), so each runs on its own event loop and its CPU and memory are measured apart.
 */
import { fork } from 'node:child_process';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';

/** Child side: answers `{id, command, args}` messages with `{id, ok, result | error}`. */
export function serve(handlers) {
  process.on('message', (message) => {
    const { id, command, args } = message;
    const handler = handlers[command];
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`unknown command ${command}`);
        return handler(args);
      })
      .then(
        (result) => process.send({ id, ok: true, result }),
        (error) => process.send({ id, ok: false, error: error instanceof Error ? error.stack : String(error) }),
      );
  });
}

/** Child side: the first message, carrying what the parent needs to use the child. */
export function ready(payload) {
  process.send({ ready: true, payload });
}

/**
 * Parent side: forks `script` with `options` as its one argument (JSON) and waits for its ready
 * message. Resolves `{payload, call(command, args), pid, close()}`.
 */
export function startChild(script, options, { execArgv = [], execPath = process.execPath, timeoutMs = 120_000 } = {}) {
  const child = fork(script, [JSON.stringify(options)], {
    execPath,
    execArgv,
    stdio: ['ignore', process.env.BENCH_CHILD_STDOUT ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let nextId = 1;
  let exited = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      const error = new Error(`${script} exited (code ${code}, signal ${signal})`);
      reject(error);
      for (const { reject: fail } of pending.values()) fail(error);
      pending.clear();
    });
    child.on('message', (message) => {
      if (message.ready) {
        clearTimeout(timer);
        resolve({
          pid: child.pid,
          payload: message.payload,
          call: (command, args) =>
            new Promise((resolveCall, rejectCall) => {
              if (exited) return rejectCall(new Error(`${script} has exited`));
              const id = nextId++;
              pending.set(id, { resolve: resolveCall, reject: rejectCall });
              child.send({ id, command, args });
            }),
          close: () =>
            new Promise((resolveClose) => {
              if (exited) return resolveClose();
              child.once('exit', () => resolveClose());
              child.kill('SIGTERM');
            }),
        });
        return;
      }
      const waiter = pending.get(message.id);
      if (waiter === undefined) return;
      pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${script}: ${message.error}`));
    });
  });
}
