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
import type { answerLimit } from './routes.js';

export interface HttpExchange {
  readonly method: 'GET' | 'POST';
  /** Absolute path with query, e.g. `/v6/Organizations?extendedView=false`. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** The most bytes the answer may have. */
  readonly sizeLimit: ReturnType<typeof answerLimit>;
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

  async send(exchange: HttpExchange, shutdown: AbortSignal): Promise<HttpAnswer> {
    const { timeoutMs } = this.options;
    // One controller per exchange, aborted by its deadline or by shutdown, both let go of when the exchange ends.
    const controller = new AbortController();
    let timedOut = false;
    const cancelDeadline = this.options.clock.setTimer(timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    const unlink = abortOnShutdown(shutdown, controller);
    try {
      return await this.exchange(exchange, controller.signal, (error, answered) =>
        classify(
          error,
          { shutdown: shutdown.aborted, timedOut, timeoutMs, answered, origin: this.options.origin },
          this.options.settings,
        ),
      );
    } finally {
      cancelDeadline();
      unlink();
    }
  }

  private async exchange(
    exchange: HttpExchange,
    signal: AbortSignal,
    classifyError: (error: unknown, answered: boolean) => Vb365Error,
  ): Promise<HttpAnswer> {
    const { dispatcher, origin, budget } = this.options;
    const { bytes: maxBytes, limit } = exchange.sizeLimit;
    let answered = false;
    const fail = (error: unknown): never => {
      throw classifyError(error, answered);
    };

    const response = await dispatcher
      .request({
        origin,
        method: exchange.method,
        path: exchange.path,
        headers: exchange.headers,
        body: exchange.body ?? null,
        signal,
      })
      .catch(fail);
    answered = true;

    const declared = Number(response.headers['content-length']);
    if (declared > maxBytes) {
      response.body.destroy();
      throw Vb365Error.tooLarge(maxBytes, limit);
    }
    const chunks: Buffer[] = [];
    // Exactly what this answer took from the shared budget: given back once it is parsed (or refused).
    let received = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (received + chunk.length > maxBytes) {
          response.body.destroy();
          throw Vb365Error.tooLarge(maxBytes, limit);
        }
        if (!budget.tryTake(chunk.length)) {
          response.body.destroy();
          throw Vb365Error.overBudget(budget.limitBytes);
        }
        received += chunk.length;
        chunks.push(chunk);
      }
      const text = Buffer.concat(chunks, received).toString('utf8');
      chunks.length = 0;
      return { status: response.statusCode, headers: response.headers, json: parseJson(text, response.statusCode) };
    } catch (error) {
      if (error instanceof Vb365Error) throw error;
      return fail(error);
    } finally {
      budget.giveBack(received);
    }
  }
}

/**
 * The controllers of the exchanges in flight, per shutdown signal. A shutdown signal lives as long as
 * the exporter, so it gets one listener however many exchanges run: a listener each would trip Node's
 * MaxListenersExceededWarning beyond 10 in flight, and AbortSignal.any() would leave an entry on the
 * long-lived signal for every request ever made (Node 20 never removes them: a leak of ~50 bytes per
 * request). AbortSignal.timeout() is not used either: its timer outlives a fast exchange by the whole
 * timeout, keeping a timer and a signal per request alive for 30 s.
 */
const inFlight = new WeakMap<AbortSignal, Set<AbortController>>();

/** Aborts `controller` when `shutdown` aborts; returns the function that stops doing so. */
function abortOnShutdown(shutdown: AbortSignal, controller: AbortController): () => void {
  if (shutdown.aborted) {
    controller.abort();
    return () => undefined;
  }
  const controllers = inFlight.get(shutdown) ?? follow(shutdown);
  controllers.add(controller);
  return () => controllers.delete(controller);
}

function follow(shutdown: AbortSignal): Set<AbortController> {
  const controllers = new Set<AbortController>();
  shutdown.addEventListener('abort', () => controllers.forEach((controller) => controller.abort()), { once: true });
  inFlight.set(shutdown, controllers);
  return controllers;
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
