/**
 * bcrypt checks on a thread of their own. bcryptjs computes in JavaScript and holds its thread for up
 * to 100 ms at a time (its MAX_EXECUTION_TIME), so on the main thread a flood of wrong passwords would
 * delay every scrape, health check and poll answer by that much. The thread starts with the first check
 * and never keeps the process alive.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** CommonJS, evaluated: it runs from dist/ and from the TypeScript sources in tests alike. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', ({ id, password, hash }) => {
  let matches = false;
  try { matches = bcrypt.compareSync(password, hash); } catch { matches = false; }
  parentPort.postMessage({ id, matches });
});
`;

interface Answer {
  readonly id: number;
  readonly matches: boolean;
}

type Waiting = Map<number, { resolve: (matches: boolean) => void; reject: (error: Error) => void }>;

export class BcryptWorker {
  private worker: { readonly thread: Worker; readonly waiting: Waiting } | undefined;
  private nextId = 0;

  /** Whether `password` matches the bcrypt `hash`; a hash bcrypt cannot read never matches. */
  compare(password: string, hash: string): Promise<boolean> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      worker.waiting.set(id, { resolve, reject });
      worker.thread.postMessage({ id, password, hash });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.thread.terminate();
  }

  private start(): { readonly thread: Worker; readonly waiting: Waiting } {
    const bcryptPath = createRequire(import.meta.url).resolve('bcryptjs');
    const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
    thread.unref();
    // Each thread answers only its own checks: a thread that dies fails those (answered 401), no other's.
    const worker = { thread, waiting: new Map() as Waiting };
    thread.on('message', ({ id, matches }: Answer) => {
      worker.waiting.get(id)?.resolve(matches);
      worker.waiting.delete(id);
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined; // the next check starts a new thread
      for (const { reject } of worker.waiting.values()) reject(error);
      worker.waiting.clear();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`the bcrypt thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
