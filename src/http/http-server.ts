/**
 * The exporter's node server: plain HTTP without tls_server_config, HTTPS with it. exporter-toolkit's
 * client_auth_type maps onto Node as follows (the checks Node cannot express as options run when the
 * handshake completes, and close the connection before any request is read):
 *
 * | client_auth_type           | requestCert | rejectUnauthorized | then                                     |
 * |----------------------------|-------------|--------------------|------------------------------------------|
 * | NoClientCert               | false       | -                  |                                          |
 * | RequestClientCert          | true        | false              |                                          |
 * | RequireAnyClientCert       | true        | false              | a certificate must have been sent        |
 * | VerifyClientCertIfGiven    | true        | false              | a certificate sent must verify against CA |
 * | RequireAndVerifyClientCert | true        | true               |                                          |
 *
 * client_allowed_sans then requires one of the listed SANs in the client certificate.
 */
import { createServer as createHttp, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import {
  normalizeSan,
  secureContextOptions,
  type ClientAuthType,
  type TlsServerSettings,
} from '../config/tls-server-config.js';

const CLIENT_POLICY: Readonly<Record<ClientAuthType, { requestCert: boolean; rejectUnauthorized: boolean }>> = {
  NoClientCert: { requestCert: false, rejectUnauthorized: false },
  RequestClientCert: { requestCert: true, rejectUnauthorized: false },
  RequireAnyClientCert: { requestCert: true, rejectUnauthorized: false },
  VerifyClientCertIfGiven: { requestCert: true, rejectUnauthorized: false },
  RequireAndVerifyClientCert: { requestCert: true, rejectUnauthorized: true },
};

export function createHttpServer(
  handler: RequestListener,
  tls: TlsServerSettings | undefined,
  logger: Logger,
): HttpServer | HttpsServer {
  if (tls === undefined) return createHttp(handler);
  const server = createHttps({ ...secureContextOptions(tls), ...CLIENT_POLICY[tls.clientAuthType] }, handler);
  // Runs before the HTTP layer's own listener, so a refused client never gets a request read.
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    const problem = clientCertificateProblem(socket, tls);
    if (problem === undefined) return;
    logger.debug({ remote: socket.remoteAddress, problem }, 'TLS client certificate refused');
    socket.destroy();
  });
  server.on('tlsClientError', (error, socket) => {
    logger.debug({ remote: socket.remoteAddress, error: error.message }, 'TLS handshake failed');
  });
  return server;
}

/** Why this connection's client certificate is not good enough, or undefined when it is. */
function clientCertificateProblem(socket: TLSSocket, tls: TlsServerSettings): string | undefined {
  if (tls.clientAuthType === 'NoClientCert' || tls.clientAuthType === 'RequestClientCert') return undefined;
  const certificate = socket.getPeerX509Certificate();
  if (certificate === undefined)
    return tls.clientAuthType === 'VerifyClientCertIfGiven' ? undefined : 'no client certificate';
  if (tls.clientAuthType !== 'RequireAnyClientCert' && !socket.authorized)
    return `client certificate not verified: ${String(socket.authorizationError)}`;
  if (tls.clientAllowedSans === undefined) return undefined;
  const sans = subjectAltNames(certificate.subjectAltName);
  return sans.some((san) => tls.clientAllowedSans?.includes(san))
    ? undefined
    : 'no allowed SAN in the client certificate';
}

/**
 * The DNS, IP, e-mail and URI values of an X509Certificate.subjectAltName string such as
 * `DNS:localhost, IP Address:127.0.0.1, email:a@example.com, URI:spiffe://x` (values with special
 * characters come JSON-quoted).
 */
function subjectAltNames(text: string | undefined): string[] {
  const values: string[] = [];
  for (const match of (text ?? '').matchAll(
    /(?:^|, )(DNS|IP Address|email|URI|[A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g,
  )) {
    const [, type = '', raw = ''] = match;
    if (!['DNS', 'IP Address', 'email', 'URI'].includes(type)) continue;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        continue;
      }
    }
    values.push(type === 'IP Address' ? normalizeSan(value) : value);
  }
  return values;
}
