/**
 * The Helm chart, rendered by a real helm binary (test/tools/install-helm.sh) with every
 * helm/vb365-exporter/ci/*-values.yaml, and checked offline: Kubernetes schemas (kubernetes-models),
 * security settings, how passwords and the config reach the pod, sharding, and the links to the
 * alert rules and the Grafana dashboard.
 */
import { readFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

import { parseCommandLine } from '../../src/config/args.js';
import { loadConfig } from '../../src/config/load.js';
import { loadWebConfig } from '../../src/config/web-config.js';
import { createSelfSignedCertificate } from 'vb365-simulator';
import { chartDir, installHelm, repoRoot, run, type CommandResult } from '../support/helm.js';

const ciDir = join(chartDir, 'ci');
const rulesFile = join(repoRoot, 'alerts', 'vb365-exporter.rules.yml');
const dashboardFile = join(repoRoot, 'grafana', 'vb365-exporter.json');

/** Passwords written in plain text in the ci values files; none may appear in a rendered manifest. */
const CI_PASSWORDS: Readonly<Record<string, readonly string[]>> = {
  'default-values.yaml': ['ci-default-Secret-4f1c'],
  'existing-secret-values.yaml': [],
  'sharded-values.yaml': ['ci-sharded-Secret-9a2e'],
  'full-values.yaml': ['ci-full-Secret-main-77d0', 'ci-full-Secret-lab-31b8'],
};

interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

interface Rendered {
  readonly text: string;
  readonly objects: readonly K8sObject[];
}

/** The exporter's config file as the chart renders it (snake_case keys, see the README). */
interface ExporterConfigFile {
  readonly listen_address: string;
  readonly log_level: string;
  readonly servers: readonly {
    readonly name: string;
    readonly url: string;
    readonly api_version?: string;
    readonly username: string;
    readonly password_file: string;
    readonly organizations: readonly string[];
    readonly ca_file?: string;
    readonly tls_insecure: boolean;
    readonly poll_interval?: string;
    readonly poll_concurrency?: number;
    readonly request_timeout?: string;
    readonly max_response_bytes?: number;
  }[];
}

let helm = '';

function runHelm(args: readonly string[]): Promise<CommandResult> {
  return run(helm, args, 30_000);
}

function parseObjects(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors.map(String).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const object = value as K8sObject;
    expect(typeof object.apiVersion, 'every document has an apiVersion').toBe('string');
    expect(typeof object.kind, 'every document has a kind').toBe('string');
    expect(typeof object.metadata.name, 'every document has a name').toBe('string');
    objects.push(object);
  }
  return objects;
}

async function template(args: readonly string[]): Promise<Rendered> {
  const result = await runHelm(['template', 'rel', chartDir, '--namespace', 'monitoring', ...args]);
  if (result.code !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${result.stderr}`);
  return { text: result.stdout, objects: parseObjects(result.stdout) };
}

function ci(file: string): string[] {
  return ['--values', join(ciDir, file)];
}

function ofKind(rendered: Rendered, kind: string): K8sObject[] {
  return rendered.objects.filter((object) => object.kind === kind);
}

function one(rendered: Rendered, kind: string, name?: string): K8sObject {
  const found = ofKind(rendered, kind).filter((object) => name === undefined || object.metadata.name === name);
  expect(
    found.map((object) => object.metadata.name),
    `exactly one ${kind}${name === undefined ? '' : ` ${name}`}`,
  ).toHaveLength(1);
  return found[0] as K8sObject;
}

/** The pod template of the one workload (Deployment or StatefulSet). */
function workload(rendered: Rendered): { readonly kind: string; readonly pod: IPodTemplateSpec } {
  const workloads = rendered.objects.filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet');
  expect(workloads, 'exactly one Deployment or StatefulSet').toHaveLength(1);
  const object = workloads[0] as unknown as IDeployment | IStatefulSet;
  const pod = object.spec?.template;
  if (pod === undefined) throw new Error('workload has no pod template');
  return { kind: object.kind, pod };
}

function exporterContainer(pod: IPodTemplateSpec): IContainer {
  const container = pod.spec?.containers.find((candidate) => candidate.name === 'exporter');
  if (container === undefined) throw new Error('no container named exporter');
  return container;
}

function envValue(container: IContainer, name: string): string | undefined {
  return container.env?.find((variable) => variable.name === name)?.value;
}

/** The exporter's config file from the one ConfigMap that holds config.yaml. */
function configFile(rendered: Rendered): ExporterConfigFile {
  const configMaps = (ofKind(rendered, 'ConfigMap') as unknown as IConfigMap[]).filter(
    (configMap) => configMap.data?.['config.yaml'] !== undefined,
  );
  expect(configMaps, 'exactly one ConfigMap holds config.yaml').toHaveLength(1);
  return parse(configMaps[0]?.data?.['config.yaml'] ?? '') as ExporterConfigFile;
}

/** Checks a rendered object against the Kubernetes OpenAPI schema (offline) or, for CRDs, its shape. */
function validate(object: K8sObject): void {
  const data = object as never;
  switch (`${object.apiVersion}/${object.kind}`) {
    case 'v1/ConfigMap':
      new ConfigMap(data).validate();
      break;
    case 'v1/Secret':
      new Secret(data).validate();
      break;
    case 'v1/Service':
      new Service(data).validate();
      break;
    case 'v1/ServiceAccount':
      new ServiceAccount(data).validate();
      break;
    case 'apps/v1/Deployment':
      new Deployment(data).validate();
      break;
    case 'apps/v1/StatefulSet':
      new StatefulSet(data).validate();
      break;
    case 'monitoring.coreos.com/v1/ServiceMonitor':
      validateServiceMonitor(object);
      break;
    case 'monitoring.coreos.com/v1/PrometheusRule':
      validatePrometheusRule(object);
      break;
    default:
      throw new Error(`unexpected kind ${object.apiVersion}/${object.kind} ${object.metadata.name}`);
  }
}

/** kubernetes-models has no Prometheus Operator CRDs: check the fields the operator needs. */
function validateServiceMonitor(object: K8sObject): void {
  const spec = object['spec'] as {
    selector?: { matchLabels?: Record<string, string> };
    endpoints?: {
      port?: unknown;
      path?: unknown;
      scheme?: unknown;
      interval?: unknown;
      scrapeTimeout?: unknown;
      relabelings?: unknown;
    }[];
  };
  expect(Object.keys(spec.selector?.matchLabels ?? {}).length).toBeGreaterThan(0);
  expect(spec.endpoints?.length).toBeGreaterThan(0);
  const duration = /^(\d+(ms|s|m|h))+$/;
  for (const endpoint of spec.endpoints ?? []) {
    expect(endpoint.port).toBe('http');
    expect(endpoint.path).toBe('/metrics');
    expect(['http', 'https']).toContain(endpoint.scheme);
    if (endpoint.interval !== undefined) expect(endpoint.interval).toMatch(duration);
    if (endpoint.scrapeTimeout !== undefined) expect(endpoint.scrapeTimeout).toMatch(duration);
    if (endpoint.relabelings !== undefined) expect(Array.isArray(endpoint.relabelings)).toBe(true);
  }
}

function validatePrometheusRule(object: K8sObject): void {
  const spec = object['spec'] as {
    groups?: { name?: unknown; rules?: { alert?: unknown; record?: unknown; expr?: unknown }[] }[];
  };
  expect(spec.groups?.length).toBeGreaterThan(0);
  for (const group of spec.groups ?? []) {
    expect(typeof group.name).toBe('string');
    expect(group.rules?.length).toBeGreaterThan(0);
    for (const rule of group.rules ?? []) {
      expect(typeof rule.alert === 'string' || typeof rule.record === 'string', 'a rule is an alert or a record').toBe(
        true,
      );
      expect(['string', 'number']).toContain(typeof rule.expr);
    }
  }
}

function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

const ciFiles = Object.keys(CI_PASSWORDS);
const renders = new Map<string, Rendered>();

function rendered(file: string): Rendered {
  const result = renders.get(file);
  if (result === undefined) throw new Error(`${file} was not rendered`);
  return result;
}

beforeAll(async () => {
  helm = await installHelm();
  for (const file of ciFiles) renders.set(file, await template(ci(file)));
}, 120_000);

describe('helm chart helm/vb365-exporter', () => {
  it('has exactly the ci values files this test knows about', async () => {
    const files = (await readdir(ciDir)).filter((name) => name.endsWith('-values.yaml')).sort();
    expect(files).toEqual([...ciFiles].sort());
  });

  it('links files/ to the alert rules and the dashboard kept at the top of the repository', async () => {
    const links = [
      ['vb365-exporter.rules.yml', '../../../alerts/vb365-exporter.rules.yml', rulesFile],
      ['vb365-exporter.json', '../../../grafana/vb365-exporter.json', dashboardFile],
    ] as const;
    for (const [name, target, file] of links) {
      const link = join(chartDir, 'files', name);
      expect((await lstat(link)).isSymbolicLink(), `${link} is a symbolic link`).toBe(true);
      expect(await readlink(link)).toBe(target);
      expect(await realpath(link), `${link} resolves to an existing ${file}`).toBe(await realpath(file));
    }
  });

  it('documents every value in README.md and describes every top-level value in values.schema.json', async () => {
    const values = parse(await readFile(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const readme = await readFile(join(chartDir, 'README.md'), 'utf8');
    const schema = JSON.parse(await readFile(join(chartDir, 'values.schema.json'), 'utf8')) as {
      additionalProperties?: boolean;
      properties: Record<string, { additionalProperties?: unknown; properties?: Record<string, unknown> }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(
      Object.keys(schema.properties)
        .filter((key) => key !== 'global')
        .sort(),
    ).toEqual(Object.keys(values).sort());
    for (const [key, value] of Object.entries(values)) {
      const nested =
        value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0;
      const documented = nested ? Object.keys(value).map((child) => `${key}.${child}`) : [key];
      if (!['podSecurityContext', 'securityContext', 'resources', 'livenessProbe', 'readinessProbe'].includes(key)) {
        for (const path of documented) expect(readme, `README.md documents ${path}`).toContain(`| \`${path}\` |`);
      } else {
        expect(readme, `README.md documents ${key}`).toContain(`| \`${key}\` |`);
      }
    }
    const server = schema.properties['servers'] as {
      items?: { properties?: Record<string, unknown>; additionalProperties?: unknown };
    };
    expect(server.items?.additionalProperties).toBe(false);
    for (const key of Object.keys(server.items?.properties ?? {})) {
      expect(readme, `README.md documents servers[].${key}`).toContain(`| \`servers[].${key}\` |`);
    }
  });

  it.each(ciFiles)('passes helm lint --strict with ci/%s', async (file) => {
    const result = await runHelm(['lint', '--strict', chartDir, ...ci(file)]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('0 chart(s) failed');
  });

  it.each(ciFiles)('renders ci/%s into objects valid against the Kubernetes schemas', (file) => {
    const { objects } = rendered(file);
    expect(objects.length).toBeGreaterThanOrEqual(4);
    for (const object of objects) {
      expect(() => validate(object), `${object.kind} ${object.metadata.name}`).not.toThrow();
      expect(object.metadata.labels?.['app.kubernetes.io/instance']).toBe('rel');
      expect(object.metadata.namespace).toBe('monitoring');
    }
    const keys = objects.map((object) => `${object.kind}/${object.metadata.name}`);
    expect(new Set(keys).size, 'no two objects share kind and name').toBe(keys.length);
  });

  it.each(ciFiles)('runs ci/%s as non-root with a read-only root filesystem and no capabilities', (file) => {
    const { pod } = workload(rendered(file));
    const podSecurity = pod.spec?.securityContext;
    expect(podSecurity?.runAsNonRoot).toBe(true);
    expect(podSecurity?.runAsUser).toBe(1000);
    expect(podSecurity?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    for (const container of pod.spec?.containers ?? []) {
      const security = container.securityContext;
      expect(security?.runAsNonRoot).toBe(true);
      expect(security?.readOnlyRootFilesystem).toBe(true);
      expect(security?.allowPrivilegeEscalation).toBe(false);
      expect(security?.capabilities?.drop).toEqual(['ALL']);
      expect(security?.capabilities?.add ?? []).toEqual([]);
      expect(security?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(container.resources?.requests).toBeDefined();
      expect(container.resources?.limits?.['memory']).toBeDefined();
    }
    const tmp = exporterContainer(pod).volumeMounts?.find((mount) => mount.mountPath === '/tmp');
    const tmpVolume = pod.spec?.volumes?.find((volume) => volume.name === tmp?.name);
    expect(tmpVolume?.emptyDir, 'an emptyDir is mounted on /tmp').toBeDefined();
  });

  it.each(ciFiles)('probes /healthz for liveness and /readyz for readiness on port http (ci/%s)', (file) => {
    const container = exporterContainer(workload(rendered(file)).pod);
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.livenessProbe?.httpGet?.port).toBe('http');
    expect(container.readinessProbe?.httpGet?.port).toBe('http');
    expect(container.ports).toEqual([{ name: 'http', containerPort: 10365, protocol: 'TCP' }]);
    const tls = file === 'full-values.yaml';
    expect(container.livenessProbe?.httpGet?.scheme).toBe(tls ? 'HTTPS' : undefined);
    expect(container.readinessProbe?.httpGet?.scheme).toBe(tls ? 'HTTPS' : undefined);
  });

  it.each(ciFiles)('starts the exporter with --config and passes passwords only as mounted files (ci/%s)', (file) => {
    const result = rendered(file);
    const { pod } = workload(result);
    const container = exporterContainer(pod);
    expect(container.command).toEqual(['node', '/app/dist/main.js']);
    expect(container.args?.slice(0, 2)).toEqual(['--config', '/etc/vb365-exporter/config.yaml']);

    for (const password of CI_PASSWORDS[file] ?? []) {
      expect(result.text, 'a password appears in plain text').not.toContain(password);
    }
    const envNames = (container.env ?? []).map((variable) => variable.name);
    expect(envNames).not.toContain('VB365_PASSWORD');
    for (const variable of container.env ?? []) {
      expect(variable.valueFrom?.secretKeyRef, `${variable.name} comes from a Secret`).toBeUndefined();
    }

    // Follow each server's password_file to the Secret key that backs it.
    const config = configFile(result);
    const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === '/etc/vb365-exporter/secrets');
    const sources = pod.spec?.volumes?.find((volume) => volume.name === mount?.name)?.projected?.sources ?? [];
    const configMount = container.volumeMounts?.find(
      (candidate) => candidate.mountPath === '/etc/vb365-exporter/config.yaml',
    );
    expect(configMount?.subPath).toBe('config.yaml');
    const configMapName = pod.spec?.volumes?.find((volume) => volume.name === configMount?.name)?.configMap?.name;
    expect(ofKind(result, 'ConfigMap').map((object) => object.metadata.name)).toContain(configMapName);

    const chartSecrets = ofKind(result, 'Secret') as unknown as ISecret[];
    const values = parse(readFileSync(join(ciDir, file), 'utf8')) as {
      servers: { name: string; password?: string; existingSecret?: string; existingSecretKey?: string }[];
    };
    expect(config.servers.map((server) => server.name)).toEqual(values.servers.map((server) => server.name));
    for (const server of values.servers) {
      const entry = config.servers.find((candidate) => candidate.name === server.name);
      expect(entry?.password_file).toBe(`/etc/vb365-exporter/secrets/${server.name}/password`);
      const relative = entry?.password_file.slice('/etc/vb365-exporter/secrets/'.length);
      const source = sources.find((candidate) => candidate.secret?.items?.some((item) => item.path === relative));
      const item = source?.secret?.items?.find((candidate) => candidate.path === relative);
      if (server.existingSecret !== undefined) {
        expect(source?.secret?.name).toBe(server.existingSecret);
        expect(item?.key).toBe(server.existingSecretKey ?? 'password');
      } else {
        const secret = chartSecrets.find((candidate) => candidate.metadata?.name === source?.secret?.name);
        const encoded = item === undefined ? undefined : secret?.data?.[item.key];
        expect(encoded, `the chart's Secret holds the password of ${server.name}`).toBeDefined();
        expect(Buffer.from(encoded ?? '', 'base64').toString('utf8')).toBe(server.password);
      }
    }
    if (values.servers.every((server) => server.existingSecret !== undefined)) {
      expect(chartSecrets.map((secret) => secret.metadata?.name)).not.toContain('rel-vb365-exporter');
    }
  });

  it.each(ciFiles)('renders a config and environment the exporter itself accepts (ci/%s)', async (file) => {
    // Lay the pod's files out under a temporary root, then load them with the exporter's own loader.
    const result = rendered(file);
    const { kind, pod } = workload(result);
    const container = exporterContainer(pod);
    const root = await mkdtemp(join(tmpdir(), 'vb365-chart-config-'));
    const inPod = (path: string): string => (path.startsWith('/etc/vb365-exporter/') ? join(root, path) : path);
    const put = async (path: string, text: string): Promise<void> => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    };
    try {
      const certificate = await createSelfSignedCertificate('localhost');
      const config = configFile(result);
      for (const server of config.servers) {
        await put(inPod(server.password_file), 'from-a-secret\n');
        if (server.ca_file !== undefined) await put(inPod(server.ca_file), certificate.cert);
      }
      const configMap = (ofKind(result, 'ConfigMap') as unknown as IConfigMap[]).find(
        (candidate) => candidate.data?.['config.yaml'] !== undefined,
      );
      const configText = (configMap?.data?.['config.yaml'] ?? '').replaceAll(
        '/etc/vb365-exporter/',
        `${root}/etc/vb365-exporter/`,
      );
      await mkdir(join(root, 'etc', 'vb365-exporter'), { recursive: true });
      await writeFile(join(root, 'etc', 'vb365-exporter', 'config.yaml'), configText);

      const env: Record<string, string> = {};
      for (const variable of container.env ?? []) {
        const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
        if (variable.value !== undefined) env[variable.name] = inPod(variable.value);
        else if (fieldPath === 'metadata.name') env[variable.name] = 'rel-vb365-exporter-3';
        else throw new Error(`no stand-in for ${variable.name}`);
      }
      const loaded = loadConfig(parseCommandLine((container.args ?? []).map(inPod)), env);
      expect(loaded.warnings).toEqual([]);
      expect(loaded.config.servers.map((server) => server.name)).toEqual(config.servers.map((server) => server.name));
      expect(loaded.config.servers.every((server) => server.password === 'from-a-secret')).toBe(true);
      expect(loaded.config.listen[0]?.port).toBe(10365);
      expect(loaded.config.shard).toEqual(kind === 'StatefulSet' ? { index: 3, count: 4 } : undefined);
      expect(loaded.config.webConfigFile).toBe(
        file === 'full-values.yaml' ? join(root, 'etc/vb365-exporter/web/web-config.yml') : undefined,
      );

      if (loaded.config.webConfigFile !== undefined) {
        // The web config Secret and the TLS Secret, as mounted, decoded by the exporter's strict loader.
        const webSecret = (ofKind(result, 'Secret') as unknown as ISecret[]).find(
          (secret) => secret.data?.['web-config.yml'] !== undefined,
        );
        const webText = Buffer.from(webSecret?.data?.['web-config.yml'] ?? '', 'base64').toString('utf8');
        await put(
          loaded.config.webConfigFile,
          webText.replaceAll('/etc/vb365-exporter/', `${root}/etc/vb365-exporter/`),
        );
        await put(join(root, 'etc/vb365-exporter/tls/tls.crt'), certificate.cert);
        await put(join(root, 'etc/vb365-exporter/tls/tls.key'), certificate.key);
        const web = loadWebConfig(loaded.config.webConfigFile);
        expect(web.tls).toBeDefined();
        expect(web.users.size).toBe(1);
        expect(web.unauthenticatedPaths).toEqual(['/healthz', '/readyz']);
        expect(web.warnings).toEqual([]);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('renders several servers, CAs and the web config into the exporter config (ci/full-values.yaml)', () => {
    const result = rendered('full-values.yaml');
    const config = configFile(result);
    expect(config.listen_address).toBe(':10365');
    expect(config.log_level).toBe('debug');
    expect(config.servers).toHaveLength(3);
    expect(config.servers[0]).toEqual({
      name: 'vb365-main',
      url: 'https://vb365.example.com:4443',
      api_version: 'v8',
      username: 'svc-monitoring',
      password_file: '/etc/vb365-exporter/secrets/vb365-main/password',
      organizations: ['0b3b3a52-3c9e-4d55-9b8c-7f4d2f1e6a10', '9e0c2f2a-1d4b-4c2e-8a3f-5b6d7e8f9a01'],
      ca_file: '/etc/vb365-exporter/ca/vb365-main/ca.crt',
      tls_insecure: false,
      poll_interval: '10m', // a duration in values.yaml stays one
      poll_concurrency: 2,
      request_timeout: '60', // whole seconds: the exporter reads a bare number as seconds
      max_response_bytes: 33554432,
    });
    expect(config.servers[2]?.tls_insecure).toBe(true);
    expect(config.servers[2]?.ca_file).toBeUndefined();

    const { pod } = workload(result);
    const container = exporterContainer(pod);
    const caSources = pod.spec?.volumes?.find((volume) => volume.name === 'ca')?.projected?.sources ?? [];
    expect(caSources).toEqual([
      { secret: { name: 'vb365-main-ca', items: [{ key: 'ca.pem', path: 'vb365-main/ca.crt' }] } },
      { configMap: { name: 'corporate-ca', items: [{ key: 'ca.crt', path: 'vb365-branch/ca.crt' }] } },
    ]);
    expect(container.volumeMounts?.find((mount) => mount.name === 'ca')?.mountPath).toBe('/etc/vb365-exporter/ca');

    expect(envValue(container, 'VB365_WEB_CONFIG_FILE')).toBe('/etc/vb365-exporter/web/web-config.yml');
    const webSecret = one(result, 'Secret', 'vb365-web-config') as unknown as ISecret;
    const webConfig = parse(Buffer.from(webSecret.data?.['web-config.yml'] ?? '', 'base64').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(webConfig).sort()).toEqual(['basic_auth_users', 'tls_server_config', 'unauthenticated_paths']);
    // The kubelet's probes carry no credentials.
    expect(webConfig['unauthenticated_paths']).toEqual(['/healthz', '/readyz']);
    expect(container.volumeMounts?.find((mount) => mount.name === 'web-tls')?.mountPath).toBe(
      '/etc/vb365-exporter/tls',
    );
  });

  it('renders one Deployment and no shard settings by default', () => {
    const result = rendered('default-values.yaml');
    const { kind, pod } = workload(result);
    expect(kind).toBe('Deployment');
    expect((one(result, 'Deployment') as unknown as IDeployment).spec?.replicas).toBe(1);
    const names = (exporterContainer(pod).env ?? []).map((variable) => variable.name);
    expect(names).not.toContain('VB365_SHARD_INDEX');
    expect(names).not.toContain('VB365_SHARD_COUNT');
    expect(ofKind(result, 'Service')).toHaveLength(1);
    const service = one(result, 'Service') as unknown as IService;
    expect(service.spec?.ports).toEqual([{ name: 'http', port: 10365, targetPort: 'http', protocol: 'TCP' }]);
    expect(ofKind(result, 'ServiceMonitor')).toHaveLength(0);
    expect(ofKind(result, 'PrometheusRule')).toHaveLength(0);
    expect(result.objects.filter((object) => object.metadata.labels?.['grafana_dashboard'] !== undefined)).toHaveLength(
      0,
    );
  });

  it('renders a StatefulSet of 4 shards, each told its index and the count (ci/sharded-values.yaml)', () => {
    const result = rendered('sharded-values.yaml');
    expect(ofKind(result, 'Deployment')).toHaveLength(0);
    const statefulSet = one(result, 'StatefulSet') as unknown as IStatefulSet;
    expect(statefulSet.spec?.replicas).toBe(4);
    expect(statefulSet.spec?.podManagementPolicy).toBe('Parallel');
    const container = exporterContainer(workload(result).pod);
    expect(envValue(container, 'VB365_SHARD_COUNT')).toBe('4');
    const index = container.env?.find((variable) => variable.name === 'VB365_SHARD_INDEX');
    expect(index?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');

    const headless = one(result, 'Service', statefulSet.spec?.serviceName) as unknown as IService;
    expect(headless.spec?.clusterIP).toBe('None');
    expect(headless.spec?.selector).toEqual(statefulSet.spec?.selector.matchLabels);

    // The ServiceMonitor scrapes every shard through the one metrics Service, not twice via the headless one.
    const monitor = one(result, 'ServiceMonitor') as { spec?: { selector?: { matchLabels?: Record<string, string> } } };
    const selector = monitor.spec?.selector?.matchLabels ?? {};
    const scraped = (ofKind(result, 'Service') as unknown as IService[]).filter((service) =>
      selects(selector, service.metadata?.labels),
    );
    expect(scraped.map((service) => service.metadata?.name)).toEqual(['rel-vb365-exporter']);
  });

  it('fails with a message naming the value when a server has no password and no existingSecret', async () => {
    const noPassword = 'servers=[{"name":"lab","url":"https://vb365.example.com:4443","username":"u"}]';
    const result = await runHelm(['template', 'rel', chartDir, '--set-json', noPassword]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('servers[0].password is required');
    expect(result.stderr).toContain('servers[0].existingSecret');

    const emptyUrl = await runHelm([
      'template',
      'rel',
      chartDir,
      '--set-json',
      'servers=[{"name":"lab","url":"","username":"u","password":"x"}]',
    ]);
    expect(emptyUrl.code).not.toBe(0);
    expect(emptyUrl.stderr).toContain('servers[0].url is required');

    const duplicate = await runHelm([
      'template',
      'rel',
      chartDir,
      '--set-json',
      'servers=[{"name":"a","url":"https://a","username":"u","password":"x"},{"name":"a","url":"https://b","username":"u","password":"y"}]',
    ]);
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr).toContain('servers[1].name');
  });

  it('rejects unknown keys through values.schema.json', async () => {
    const topLevel = await runHelm([
      'template',
      'rel',
      chartDir,
      ...ci('default-values.yaml'),
      '--set',
      'serviceMonitr.enabled=true',
    ]);
    expect(topLevel.code).not.toBe(0);
    expect(topLevel.stderr).toContain('serviceMonitr');
    const lint = await runHelm(['lint', chartDir, ...ci('default-values.yaml'), '--set', 'shard=4']);
    expect(lint.code).not.toBe(0);
    expect(lint.stdout + lint.stderr).toContain('shard');
    const nested = await runHelm([
      'template',
      'rel',
      chartDir,
      ...ci('default-values.yaml'),
      '--set',
      'servers[0].pasword=x',
    ]);
    expect(nested.code).not.toBe(0);
    expect(nested.stderr).toContain('pasword');
    const badVersion = await runHelm([
      'template',
      'rel',
      chartDir,
      ...ci('existing-secret-values.yaml'),
      '--set',
      'servers[0].apiVersion=v5',
    ]);
    expect(badVersion.code).not.toBe(0);
  });

  it('changes checksum/config with the config and checksum/secret with a password, each alone', async () => {
    const annotations = (result: Rendered): Record<string, string> => workload(result).pod.metadata?.annotations ?? {};
    const base = annotations(rendered('default-values.yaml'));
    expect(base['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(base['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);

    const again = annotations(await template(ci('default-values.yaml')));
    expect(again).toEqual(base);

    const otherConfig = annotations(await template([...ci('default-values.yaml'), '--set', 'logLevel=debug']));
    expect(otherConfig['checksum/config']).not.toBe(base['checksum/config']);
    expect(otherConfig['checksum/secret']).toBe(base['checksum/secret']);

    // Same server as ci/default-values.yaml, another password.
    const rotated = JSON.stringify([
      { name: 'vb365', url: 'https://vb365.example.com:4443', username: 'svc-monitoring', password: 'rotated' },
    ]);
    const otherPassword = annotations(
      await template([...ci('default-values.yaml'), '--set-json', `servers=${rotated}`]),
    );
    expect(otherPassword['checksum/secret']).not.toBe(base['checksum/secret']);
    expect(otherPassword['checksum/config']).toBe(base['checksum/config']);
  });

  it('ships the alert rules of alerts/vb365-exporter.rules.yml as a PrometheusRule', async () => {
    const rule = one(rendered('full-values.yaml'), 'PrometheusRule') as {
      metadata: { labels?: Record<string, string> };
      spec?: { groups?: unknown };
    };
    const expected = parse(await readFile(rulesFile, 'utf8')) as { groups: unknown };
    expect(rule.spec?.groups).toEqual(expected.groups);
    expect(rule.metadata.labels?.['release']).toBe('kube-prometheus-stack');
  });

  it('replaces only the backup age threshold of the rules with prometheusRule.organizationBackupMaxAgeHours', async () => {
    const threshold = 'vb365:organization_last_backup_max_age_seconds:threshold';
    const rule = one(
      await template([...ci('full-values.yaml'), '--set', 'prometheusRule.organizationBackupMaxAgeHours=48']),
      'PrometheusRule',
    ) as { spec?: { groups?: unknown } };
    const expected = parse(await readFile(rulesFile, 'utf8')) as {
      groups: { rules: { record?: string; expr: string }[] }[];
    };
    const recording = expected.groups.flatMap((group) => group.rules).filter((r) => r.record === threshold);
    expect(recording).toHaveLength(1);
    for (const r of recording) r.expr = 'vector(48 * 3600)';
    expect(rule.spec?.groups).toEqual(expected.groups);

    const refused = await runHelm([
      'template',
      'rel',
      chartDir,
      ...ci('full-values.yaml'),
      '--set',
      'prometheusRule.organizationBackupMaxAgeHours=0',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('organizationBackupMaxAgeHours');
  });

  it('ships the Grafana dashboard as a ConfigMap labelled for the sidecar', async () => {
    const result = rendered('full-values.yaml');
    const dashboards = result.objects.filter((object) => object.metadata.labels?.['grafana_dashboard'] !== undefined);
    expect(dashboards).toHaveLength(1);
    const dashboard = dashboards[0] as unknown as IConfigMap;
    expect(dashboard.kind).toBe('ConfigMap');
    expect(dashboard.metadata?.labels?.['grafana_dashboard']).toBe('1');
    expect(dashboard.metadata?.annotations?.['grafana_folder']).toBe('Backup');
    const text = await readFile(dashboardFile, 'utf8');
    expect(dashboard.data?.['vb365-exporter.json']).toBe(text);
    expect(() => JSON.parse(text) as unknown).not.toThrow();
  });

  it('configures the ServiceMonitor from values (ci/full-values.yaml)', () => {
    const monitor = one(rendered('full-values.yaml'), 'ServiceMonitor') as {
      metadata: { labels?: Record<string, string> };
      spec?: { endpoints?: Record<string, unknown>[] };
    };
    expect(monitor.metadata.labels?.['release']).toBe('kube-prometheus-stack');
    const endpoint = monitor.spec?.endpoints?.[0];
    expect(endpoint?.['interval']).toBe('2m');
    expect(endpoint?.['scrapeTimeout']).toBe('30s');
    expect(endpoint?.['scheme']).toBe('https');
    expect(endpoint?.['relabelings']).toEqual([
      { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' },
    ]);
    expect(endpoint?.['basicAuth']).toBeDefined();
  });

  it('prints NOTES that name the shards and how to reach /metrics', async () => {
    const result = await runHelm([
      'install',
      'rel',
      chartDir,
      '--dry-run=client',
      '--namespace',
      'monitoring',
      ...ci('sharded-values.yaml'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    expect(notes).toContain('split between 4 shards');
    expect(notes).toContain('http://rel-vb365-exporter.monitoring.svc:10365/metrics');
    expect(notes).toContain('port-forward service/rel-vb365-exporter');
  });
});
