// The simulator options and fault kinds the fault-matrix tests rely on: a given certificate, chosen
// tokens, a password changed at run time, rewritten answer bodies, chunked bodies, unfinished responses.
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  SEED_ORGANIZATION_IDS,
  createSelfSignedCertificate,
  startSimulator,
  type FaultRequest,
  type Simulator,
  type SimulatorOptions,
} from '../src/index.js';

const started: Array<{ simulator: Simulator; agent: Agent }> = [];
afterEach(async () => {
  for (const { simulator, agent } of started.splice(0)) {
    await agent.close();
    await simulator.close();
  }
});

async function start(options: SimulatorOptions = {}): Promise<{ simulator: Simulator; agent: Agent }> {
  const simulator = await startSimulator(options);
  const entry = { simulator, agent: new Agent({ connect: { ca: simulator.ca ?? '' } }) };
  started.push(entry);
  return entry;
}

async function call(
  { simulator, agent }: { simulator: Simulator; agent: Agent },
  path: string,
  options: { token?: string; form?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const response = await request(`${simulator.url}${path}`, {
    method: options.form === undefined ? 'GET' : 'POST',
    dispatcher: agent,
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    body: options.form === undefined ? null : new URLSearchParams(options.form).toString(),
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

async function login(
  entry: { simulator: Simulator; agent: Agent },
  password = entry.simulator.password,
): Promise<{ status: number; access: string; refresh: string }> {
  const reply = await call(entry, '/v8/Token', {
    form: { grant_type: 'password', username: entry.simulator.username, password },
  });
  const body = (reply.status === 200 ? JSON.parse(reply.text) : {}) as {
    access_token?: string;
    refresh_token?: string;
  };
  return { status: reply.status, access: body.access_token ?? '', refresh: body.refresh_token ?? '' };
}

const contoso = `/v8/Organizations/${SEED_ORGANIZATION_IDS.contoso}/UsedRepositories?offset=0&limit=10000`;

describe('simulator extensions', () => {
  it('serves a given certificate, so a client can trust a simulator started later on the same port', async () => {
    const certificate = await createSelfSignedCertificate('127.0.0.1');
    const first = await startSimulator({ certificate });
    const port = Number(new URL(first.url).port);
    expect(first.ca).toBe(certificate.cert);
    await first.close();
    const second = await start({ certificate, port });
    expect(second.simulator.url).toBe(first.url);
    expect((await login(second)).status).toBe(200);
  });

  it('issues the tokens tokenFactory makes, numbered per kind', async () => {
    const calls: string[] = [];
    const entry = await start({
      tokenFactory: (kind, sequence) => (calls.push(`${kind} ${sequence}`), `${kind}-${sequence}-x`),
    });
    const first = await login(entry);
    expect(first).toEqual({ status: 200, access: 'access-1-x', refresh: 'refresh-1-x' });
    const refreshed = await call(entry, '/v8/Token', {
      form: { grant_type: 'refresh_token', refresh_token: first.refresh },
    });
    expect(JSON.parse(refreshed.text)).toMatchObject({ access_token: 'access-2-x', refresh_token: 'refresh-2-x' });
    expect(calls).toEqual(['access 1', 'refresh 1', 'access 2', 'refresh 2']);
    expect((await call(entry, contoso, { token: 'access-2-x' })).status).toBe(200);
  });

  it('accepts a new password after setPassword; issued tokens stay valid', async () => {
    const entry = await start({ password: 'old' });
    const { access } = await login(entry);
    entry.simulator.setPassword('new');
    expect(entry.simulator.password).toBe('new');
    expect((await login(entry, 'old')).status).toBe(400);
    expect((await login(entry, 'new')).status).toBe(200);
    expect((await call(entry, contoso, { token: access })).status).toBe(200);
    expect(entry.simulator.stats.tokenGrants).toEqual({ password: 2, refresh_token: 0, failed: 1 });
  });

  it('rewrites the answer body with transformBody, keeping the status, and tells it about the request', async () => {
    const entry = await start();
    const { access } = await login(entry);
    const seen: FaultRequest[] = [];
    entry.simulator.addFault({
      route: 'used_repositories',
      times: 1,
      transformBody: (body, request) => (seen.push(request), JSON.stringify({ wrapped: JSON.parse(body) as unknown })),
    });
    const reply = await call(entry, contoso, { token: access });
    expect(reply.status).toBe(200);
    expect((JSON.parse(reply.text) as { wrapped: { results: unknown[] } }).wrapped.results).toHaveLength(3);
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(reply.text)));
    expect(seen).toEqual([
      {
        method: 'GET',
        path: contoso,
        route: 'used_repositories',
        organizationId: SEED_ORGANIZATION_IDS.contoso,
        authorization: `Bearer ${access}`,
        body: '',
        status: 200,
      },
    ]);

    entry.simulator.addFault({
      route: 'token',
      times: 1,
      status: 400,
      transformBody: (_body, request) => JSON.stringify({ echo: request.body }),
    });
    const refused = await call(entry, '/v8/Token', { form: { grant_type: 'password', username: 'a', password: 'b' } });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toEqual({ echo: 'grant_type=password&username=a&password=b' });
  });

  it('sends a chunked body without Content-Length on omitContentLength', async () => {
    const entry = await start();
    const { access } = await login(entry);
    const normal = await call(entry, contoso, { token: access });
    entry.simulator.addFault({ route: 'used_repositories', times: 1, omitContentLength: true });
    const chunked = await call(entry, contoso, { token: access });
    expect(chunked.headers['content-length']).toBeUndefined();
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect(chunked.text).toBe(normal.text);
  });

  it('counts responses whose connection closed before they were complete', async () => {
    const entry = await start();
    const { access } = await login(entry);
    await call(entry, contoso, { token: access });
    expect(entry.simulator.stats.unfinishedResponses).toBe(0);
    entry.simulator.addFault({ route: 'used_repositories', times: 1, trickleBytesPerSecond: 100 });
    const controller = new AbortController();
    const pending = request(`${entry.simulator.url}${contoso}`, {
      dispatcher: entry.agent,
      headers: { authorization: `Bearer ${access}` },
      signal: controller.signal,
    });
    const response = await pending;
    controller.abort();
    await response.body.text().catch(() => undefined);
    await vi.waitFor(() => expect(entry.simulator.stats.unfinishedResponses).toBe(1));
    entry.simulator.resetStats();
    expect(entry.simulator.stats.unfinishedResponses).toBe(0);
  });
});
