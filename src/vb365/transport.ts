/**
 * One HTTP exchange with a VB365 server: sends the request through the server's undici dispatcher,
 * enforces a deadline for the whole exchange (so a trickling body cannot hold it open), the answer's size
 * cap and the byte budget all answers in flight share (both checked while streaming, so an oversized body
 * is never buffered whole), parses JSON.
 */
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { ByteBudget } from './byte-budget.js';
import { Vb365Error, type TlsSettings } from './errors.js';
import type { AnswerLimit } from './routes.js';

export interface HttpExchange {
  readonly method: 'GET' | 'POST';
  /** Absolute path with query, e.g. `/v6/Organizations?extendedView=false`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The most bytes the answer may have. */
  readonly sizeLimit: AnswerLimit;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON, or undefined for an empty body. */
  readonly json: unknown;
}

export interface TransportOptions {
  readonly dispatcher: Dispatcher;
  /** Scheme, host and port, e.g. `https://vb365:4443`. */
  readonly origin: string;
  readonly timeoutMs: number;
  /** Shared by every exchange of every server. */
  readonly budget: ByteBudget;
  /** The settings a connection problem's message points at. */
  readonly settings: TlsSettings;
  /** Runs the deadline, so tests can move it. */
  readonly clock: Pick<Clock, 'setTimer'>;
}

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  send(exchange: HttpExchange, shutdown: AbortSignal): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const handler = new ExchangeHandler(this.options, exchange, shutdown, resolve, reject);
      if (shutdown.aborted) {
        handler.fail(undefined);
        return;
      }
      this.options.dispatcher.dispatch(
        {
          origin: this.options.origin,
          method: exchange.method,
          path: exchange.path,
          headers: exchange.headers,
          body: exchange.body ?? null,
        },
        handler,
      );
    });
  }
}

/**
 * One exchange, read straight from undici's dispatch() callbacks. Measured at 10,000 organizations
 * (the measurements are in bench/README.md), request() with an AbortController and `for await` over its Readable cost ~9 KB and a
 * third of the exporter's CPU per poll: here there is one object per exchange, no stream, no
 * AbortController, and the size cap and the shared budget are checked as each chunk arrives.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private timedOut = false;
  /** Whether the status line and headers had arrived. */
  private answered = false;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Buffer[] = [];
  /** Exactly what this answer took from the shared budget: given back once when the exchange ends. */
  private received = 0;
  private readonly cancelDeadline: () => void;
  private readonly unlink: () => void;

  constructor(
    private readonly options: TransportOptions,
    private readonly exchange: HttpExchange,
    private readonly shutdown: AbortSignal,
    private readonly resolve: (answer: HttpAnswer) => void,
    private readonly reject: (error: Vb365Error) => void,
  ) {
    this.cancelDeadline = options.clock.setTimer(options.timeoutMs, () => {
      this.timedOut = true;
      this.fail(undefined);
    });
    this.unlink = abortOnShutdown(shutdown, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Failed while waiting for a connection (deadline, shutdown): nothing of it may go out.
    if (this.settled) controller.abort(Vb365Error.aborted());
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200 || this.settled) return; // 1xx: the answer is still to come
    this.answered = true;
    this.status = statusCode;
    this.headers = headers;
    const { bytes, limit } = this.exchange.sizeLimit;
    if (Number(headers['content-length']) > bytes) this.fail(Vb365Error.tooLarge(bytes, limit));
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const { bytes, limit } = this.exchange.sizeLimit;
    if (this.received + chunk.length > bytes) {
      this.fail(Vb365Error.tooLarge(bytes, limit));
      return;
    }
    const { budget } = this.options;
    if (!budget.tryTake(chunk.length)) {
      this.fail(Vb365Error.overBudget(budget.limitBytes));
      return;
    }
    this.received += chunk.length;
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    const { chunks } = this;
    // One chunk (most answers) is decoded as it is; more are joined once.
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.received)).toString('utf8');
    let json: unknown;
    try {
      json = parseJson(text, this.status);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.end();
    this.resolve({ status: this.status, headers: this.headers, json });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  /** Ends the exchange with the error `cause` classifies as (undefined: the deadline or shutdown). */
  fail(cause: unknown): void {
    if (this.settled) return;
    const error = classify(
      cause,
      {
        shutdown: this.shutdown.aborted,
        timedOut: this.timedOut,
        timeoutMs: this.options.timeoutMs,
        answered: this.answered,
        origin: this.options.origin,
      },
      this.options.settings,
    );
    this.end();
    // Stops the exchange if it is still running (a no-op once undici has ended it).
    this.controller?.abort(error);
    this.reject(error);
  }

  private end(): void {
    this.settled = true;
    this.cancelDeadline();
    this.unlink();
    this.options.budget.giveBack(this.received);
    this.received = 0;
    this.chunks.length = 0;
  }
}

/**
 * The exchanges in flight, per shutdown signal. A shutdown signal lives as long as the exporter, so it
 * gets one listener however many exchanges run: a listener each would trip Node's
 * MaxListenersExceededWarning beyond 10 in flight, and AbortSignal.any() would leave an entry on the
 * long-lived signal for every request ever made (Node 20 never removes them: a leak of ~50 bytes per
 * request). AbortSignal.timeout() is not used either: its timer outlives a fast exchange by the whole
 * timeout, keeping a timer and a signal per request alive for 30 s.
 */
const inFlight = new WeakMap<AbortSignal, InFlight>();

/**
 * The exchanges in flight for one shutdown signal, in slots that are reused as exchanges end. Not a Set:
 * measured at 10,000 organizations, a long-lived Set that an exchange joins and leaves kept every ended
 * exchange (and through its promise, the answer) alive past the young generation's collections, about
 * 2.6 MB promoted to the old generation every scavenge, 4 KB a poll; with these slots, next to nothing.
 */
class InFlight {
  private readonly slots: Array<ExchangeHandler | undefined> = [];
  private readonly free: number[] = [];

  /** Returns the function that takes `exchange` out again. */
  add(exchange: ExchangeHandler): () => void {
    const index = this.free.pop() ?? this.slots.length;
    this.slots[index] = exchange;
    return () => {
      this.slots[index] = undefined;
      this.free.push(index);
    };
  }

  failAll(): void {
    for (const exchange of [...this.slots]) exchange?.fail(undefined);
  }
}

/** Fails `exchange` when `shutdown` aborts; returns the function that stops doing so. */
function abortOnShutdown(shutdown: AbortSignal, exchange: ExchangeHandler): () => void {
  return (inFlight.get(shutdown) ?? follow(shutdown)).add(exchange);
}

function follow(shutdown: AbortSignal): InFlight {
  const exchanges = new InFlight();
  shutdown.addEventListener('abort', () => exchanges.failAll(), { once: true });
  inFlight.set(shutdown, exchanges);
  return exchanges;
}

function parseJson(text: string, status: number): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Error pages and redirects (HTML from a proxy or IIS, say) are not worth failing over: outside 2xx the
    // status already says what happened, and is what the request is counted and failed by.
    if (status < 200 || status >= 300) return undefined;
    throw Vb365Error.invalidJson(text.length);
  }
}

/** TLS error codes of a certificate that does not verify against the trusted CAs. */
const UNTRUSTED = /SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE|CERT_CHAIN_TOO_LONG/;
/** OpenSSL's words for a plain HTTP answer to a ClientHello. */
const PLAIN_HTTP = /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|RECORD_LAYER_FAILURE/;

interface ExchangeState {
  readonly shutdown: boolean;
  readonly timedOut: boolean;
  readonly timeoutMs: number;
  /** Whether the status line and headers had arrived. */
  readonly answered: boolean;
  readonly origin: string;
}

function classify(error: unknown, state: ExchangeState, settings: TlsSettings): Vb365Error {
  if (error instanceof Vb365Error) return error;
  if (state.shutdown) return Vb365Error.aborted();
  const code = errorCode(error);
  if (
    state.timedOut ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return Vb365Error.timeout(state.timeoutMs);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return Vb365Error.dns(code);
  if (code !== undefined && PLAIN_HTTP.test(code)) return Vb365Error.plainHttpServer(code, settings);
  if (code !== undefined && UNTRUSTED.test(code)) return Vb365Error.tlsUntrusted(code, settings);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return Vb365Error.tlsWrongName(code, settings);
  if (code !== undefined && /CERT|SSL|TLS|ALTNAME/.test(code)) return Vb365Error.tls(code);
  if (code === 'UND_ERR_SOCKET' && !state.answered && state.origin.startsWith('http:')) {
    return Vb365Error.closedWithoutAnswer(settings);
  }
  return Vb365Error.network(code ?? (error instanceof Error ? error.message : 'unknown error'));
}

function errorCode(error: unknown): string | undefined {
  // undici wraps socket errors; the useful code may be on the cause.
  for (
    let current: unknown = error, depth = 0;
    current instanceof Error && depth < 4;
    current = current.cause, depth++
  ) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET' && code !== 'UND_ERR_ABORTED') return code;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
