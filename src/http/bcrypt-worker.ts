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

export class BcryptWorker {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, { resolve: (matches: boolean) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  /** Whether `password` matches the bcrypt `hash`; a hash bcrypt cannot read never matches. */
  compare(password: string, hash: string): Promise<boolean> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, password, hash });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    const bcryptPath = createRequire(import.meta.url).resolve('bcryptjs');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
    worker.unref();
    worker.on('message', ({ id, matches }: Answer) => {
      this.waiting.get(id)?.resolve(matches);
      this.waiting.delete(id);
    });
    // A thread that dies fails the checks in flight (answered 401); the next check starts a new one.
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the bcrypt thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
