/** Configuration: every setting from the environment and from YAML, defaults, precedence, and each error. */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/config/args.js';
import { loadConfig } from '../../src/config/load.js';
import { parseShard } from '../../src/config/shard.js';
import { configError } from '../support/config-error.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'config');
const noFlags = parseCommandLine([]);
const minimalEnv = {
  VB365_URL: 'https://vb365.example.com:4443',
  VB365_USERNAME: 'svc',
  VB365_PASSWORD: 's3cret-value',
};

describe('environment', () => {
  it('applies the documented defaults', () => {
    const { config, source } = loadConfig(noFlags, minimalEnv);
    expect(source).toBe('environment');
    expect(config.listen).toEqual([{ host: '', port: 10365 }]);
    expect(config.logLevel).toBe('info');
    expect(config.shard).toBeUndefined();
    expect(config.servers).toEqual([
      {
        name: 'vb365.example.com:4443',
        url: 'https://vb365.example.com:4443',
        apiVersion: 'auto',
        username: 'svc',
        password: 's3cret-value',
        organizations: [],
        ca: undefined,
        tlsInsecure: false,
        pollIntervalSeconds: 300,
        pollConcurrency: 4,
        requestTimeoutSeconds: 30,
        settingNames: { url: 'VB365_URL', caFile: 'VB365_CA_FILE', tlsInsecure: 'VB365_TLS_INSECURE' },
        maxResponseBytes: 16 * 1024 * 1024,
        collection: 'per_organization',
        verificationCycles: 10,
      },
    ]);
    expect(Object.isFrozen(config.servers[0])).toBe(true);
  });

  it('reads every variable', () => {
    const { config } = loadConfig(noFlags, {
      ...minimalEnv,
      VB365_PASSWORD: undefined,
      VB365_PASSWORD_FILE: join(FIXTURES, 'password.txt'),
      VB365_SERVER_NAME: 'primary',
      VB365_API_VERSION: 'v7',
      VB365_ORGANIZATIONS: ' 7665CF30-EE89-4D0D-A343-2776DA77ED79 ,2b1f0c9e-5d43-4a8e-9f61-3c7a8e0d4b12,',
      VB365_TLS_INSECURE: 'true',
      VB365_POLL_INTERVAL: '60',
      VB365_POLL_CONCURRENCY: '32',
      VB365_REQUEST_TIMEOUT: '10',
      VB365_COLLECTION: 'per_repository',
      VB365_COLLECTION_VERIFICATION_CYCLES: '25',
      VB365_LISTEN_ADDRESS: '127.0.0.1:9100',
      LOG_LEVEL: 'warn',
      VB365_SHARD: '1/3',
    });
    const [server] = config.servers;
    expect(server?.name).toBe('primary');
    expect(server?.password).toBe('from-a-file'); // the trailing newline of the file is not part of it
    expect(server?.apiVersion).toBe('v7');
    expect(server?.organizations).toEqual([
      '7665cf30-ee89-4d0d-a343-2776da77ed79',
      '2b1f0c9e-5d43-4a8e-9f61-3c7a8e0d4b12',
    ]);
    expect(server?.tlsInsecure).toBe(true);
    expect([server?.pollIntervalSeconds, server?.pollConcurrency, server?.requestTimeoutSeconds]).toEqual([60, 32, 10]);
    expect([server?.collection, server?.verificationCycles]).toEqual(['per_repository', 25]);
    expect(config.listen).toEqual([{ host: '127.0.0.1', port: 9100 }]);
    expect(config.logLevel).toBe('warn');
    expect(config.shard).toEqual({ index: 1, count: 3 });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(noFlags, { ...minimalEnv, VB365_POLL_INTERVAL: '' }).config.servers[0]?.pollIntervalSeconds).toBe(
      300,
    );
  });

  it.each([
    [
      { VB365_URL: undefined },
      'VB365_URL: expected an http(s) URL such as https://vb365.example.com:4443, got nothing',
    ],
    [
      { VB365_URL: 'ftp://vb365:4443' },
      'VB365_URL: expected an http(s) URL such as https://vb365.example.com:4443, got "ftp://vb365:4443"',
    ],
    [
      { VB365_URL: 'https://admin:hunter2@vb365:4443' },
      'VB365_URL: expected an http(s) URL such as https://vb365.example.com:4443, without credentials, query or fragment, got a URL with some of them',
    ],
    [{ VB365_USERNAME: undefined }, 'VB365_USERNAME: expected a user name, got nothing'],
    [{ VB365_PASSWORD: undefined }, 'VB365_PASSWORD: expected a password (or VB365_PASSWORD_FILE)'],
    [
      { VB365_PASSWORD_FILE: '/nonexistent/password' },
      'VB365_PASSWORD: expected either it or VB365_PASSWORD_FILE, not both',
    ],
    [
      { VB365_PASSWORD: undefined, VB365_PASSWORD_FILE: '/nonexistent/password' },
      'VB365_PASSWORD_FILE: expected a readable file holding the password, got "/nonexistent/password" (ENOENT)',
    ],
    [{ VB365_API_VERSION: 'v9' }, 'VB365_API_VERSION: expected one of auto, v6, v7, v8, got "v9"'],
    [
      { VB365_COLLECTION: 'per_tenant' },
      'VB365_COLLECTION: expected one of per_organization, per_repository, got "per_tenant"',
    ],
    [
      { VB365_COLLECTION_VERIFICATION_CYCLES: '0' },
      'VB365_COLLECTION_VERIFICATION_CYCLES: expected a whole number of cycles from 1 to 1000, got "0"',
    ],
    [
      { VB365_ORGANIZATIONS: 'contoso' },
      'VB365_ORGANIZATIONS: expected organization IDs (UUIDs), comma-separated or as a list, got "contoso"',
    ],
    [
      { VB365_CA_FILE: '/nonexistent/ca.pem' },
      'VB365_CA_FILE: expected a readable PEM file, got "/nonexistent/ca.pem" (ENOENT)',
    ],
    [
      { VB365_CA_FILE: join(FIXTURES, 'password.txt') },
      `VB365_CA_FILE: expected a PEM file with at least one certificate, got "${join(FIXTURES, 'password.txt')}"`,
    ],
    [{ VB365_TLS_INSECURE: 'yes' }, 'VB365_TLS_INSECURE: expected true or false, got "yes"'],
    [
      { VB365_POLL_INTERVAL: '5 min' },
      'VB365_POLL_INTERVAL: expected a duration such as 30s, 5m or 1h30m (or whole seconds) from 1s to 1d, got "5 min"',
    ],
    [
      { VB365_POLL_INTERVAL: '0' },
      'VB365_POLL_INTERVAL: expected a duration such as 30s, 5m or 1h30m (or whole seconds) from 1s to 1d, got "0"',
    ],
    [
      { VB365_POLL_INTERVAL: '1d1s' },
      'VB365_POLL_INTERVAL: expected a duration such as 30s, 5m or 1h30m (or whole seconds) from 1s to 1d, got "1d1s"',
    ],
    [
      { VB365_POLL_INTERVAL: '1.5h' },
      'VB365_POLL_INTERVAL: expected a duration such as 30s, 5m or 1h30m (or whole seconds) from 1s to 1d, got "1.5h"',
    ],
    [
      { VB365_POLL_CONCURRENCY: '1000' },
      'VB365_POLL_CONCURRENCY: expected a whole number of requests from 1 to 256, got "1000"',
    ],
    [
      { VB365_REQUEST_TIMEOUT: '-1' },
      'VB365_REQUEST_TIMEOUT: expected a duration such as 30s, 5m or 1h30m (or whole seconds) from 1s to 10m, got "-1"',
    ],
    [
      { VB365_REQUEST_TIMEOUT: '11m' },
      'VB365_REQUEST_TIMEOUT: expected a duration such as 30s, 5m or 1h30m (or whole seconds) from 1s to 10m, got "11m"',
    ],
    [
      { VB365_LISTEN_ADDRESS: 'localhost' },
      'VB365_LISTEN_ADDRESS: expected host:port or :port with a port from 0 to 65535, got "localhost"',
    ],
    [
      { VB365_LISTEN_ADDRESS: ':70000' },
      'VB365_LISTEN_ADDRESS: expected host:port or :port with a port from 0 to 65535, got ":70000"',
    ],
    [
      { LOG_LEVEL: 'verbose' },
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    ],
    [{ VB365_SHARD: '4/4' }, 'VB365_SHARD: expected i/N with 0 <= i < N <= 1024, e.g. 2/4, got "4/4"'],
    [
      { VB365_SHARD_INDEX: 'exporter-5', VB365_SHARD_COUNT: '4' },
      'VB365_SHARD_INDEX: expected a whole number below 4 or a pod name ending in -<ordinal>, got "exporter-5"',
    ],
    [
      { VB365_SHARD_INDEX: '1' },
      'VB365_SHARD_COUNT: expected a whole number from 1 to 1024 (set with VB365_SHARD_INDEX), got nothing',
    ],
  ])('rejects %o with one line naming the variable', (change, message) => {
    const error = configError(() => loadConfig(noFlags, { ...minimalEnv, ...change }));
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('\n');
  });

  it('never echoes a password in an error', () => {
    const error = configError(() => loadConfig(noFlags, { ...minimalEnv, VB365_PASSWORD: '   ' }));
    expect(error.message).toBe('VB365_PASSWORD: expected a non-empty password, got a value that is not shown');
  });
});

describe('YAML file', () => {
  it('reads several servers, resolving file paths relative to the file', () => {
    const file = join(FIXTURES, 'valid.yml');
    const { config, source } = loadConfig(parseCommandLine(['--config', file]), {});
    expect(source).toBe(file);
    expect(config.listen).toEqual([{ host: '127.0.0.1', port: 9999 }]);
    expect(config.logLevel).toBe('debug');
    expect(config.servers.map((server) => server.name)).toEqual(['vb365-a.example.com:4443', 'tenant-b']);
    expect(config.servers[0]?.apiVersion).toBe('auto');
    expect(config.servers[1]).toMatchObject({
      url: 'https://vb365-b.example.com:4443',
      apiVersion: 'v8',
      password: 'from-a-file',
      organizations: ['7665cf30-ee89-4d0d-a343-2776da77ed79'],
      tlsInsecure: true,
      pollIntervalSeconds: 600,
      pollConcurrency: 16,
      requestTimeoutSeconds: 45,
      maxResponseBytes: 1048576,
    });
  });

  it('takes servers from the file only, warning about ignored variables; top-level variables override the file', () => {
    const file = join(FIXTURES, 'valid.yml');
    const { config, warnings } = loadConfig(parseCommandLine([`--config=${file}`]), {
      ...minimalEnv,
      LOG_LEVEL: 'error',
      VB365_LISTEN_ADDRESS: ':8080',
    });
    expect(config.servers).toHaveLength(2);
    expect(config.servers[0]?.username).toBe('svc-monitoring');
    expect(warnings).toEqual([`${file} defines the servers; ignoring VB365_URL, VB365_USERNAME, VB365_PASSWORD`]);
    expect(config.logLevel).toBe('error');
    expect(config.listen[0]?.port).toBe(8080);
  });

  it('resolves web_config_file relative to the config file', () => {
    const file = join(FIXTURES, 'with-web-config.yml');
    expect(loadConfig(parseCommandLine(['--config', file]), {}).config.webConfigFile).toBe(join(FIXTURES, 'web.yml'));
  });

  it('can be named by VB365_CONFIG_FILE', () => {
    expect(loadConfig(noFlags, { VB365_CONFIG_FILE: join(FIXTURES, 'valid.yml') }).config.servers).toHaveLength(2);
  });

  const invalid = readdirSync(FIXTURES).filter((name) => name.startsWith('invalid-'));
  it('has invalid fixtures to check', () => expect(invalid.length).toBeGreaterThanOrEqual(10));
  it.each(invalid)('rejects %s with the expected message', (name) => {
    const file = join(FIXTURES, name);
    const expected = /^# expect: (.*)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.replaceAll('FILE', file);
    expect(expected).toBeDefined();
    const error = configError(() => loadConfig(parseCommandLine(['--config', file]), {}));
    expect(error.message.startsWith(expected ?? '')).toBe(true);
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toMatch(/:$/);
  });

  it('never repeats the value of a YAML line that does not parse (it may be the password)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vb365-yaml-secret-'));
    const file = join(dir, 'config.yml');
    writeFileSync(file, 'servers:\n  - url: https://a:4443\n    username: u\n    password: "hunter2-Secret\n');
    const error = configError(() => loadConfig(parseCommandLine(['--config', file]), {}));
    expect(error.message).toBe(
      `--config ${file}: expected valid YAML, got Missing closing "quote at line 5, column 1, in the line of "password"`,
    );
    expect(error.message).not.toContain('hunter2');
  });

  it('never repeats credentials in a URL, whatever else is wrong with it', () => {
    for (const url of ['https://svc:Hunter2secret@vb365:4443/v8', 'ftp://user:Hunter2secret@vb365/']) {
      const error = configError(() => loadConfig(noFlags, { ...minimalEnv, VB365_URL: url }));
      expect(error.message).not.toContain('Hunter2secret');
    }
  });

  it('refuses a base URL that ends in an API version, saying why', () => {
    for (const url of ['https://vb365:4443/v8', 'https://vb365:4443/proxy/V6/']) {
      expect(configError(() => loadConfig(noFlags, { ...minimalEnv, VB365_URL: url })).message).toBe(
        `VB365_URL: expected an http(s) URL such as https://vb365.example.com:4443, without the API version (the exporter adds /v6, /v7 or /v8 itself; set api_version), got "${url}"`,
      );
    }
    expect(loadConfig(noFlags, { ...minimalEnv, VB365_URL: 'https://vb365:4443/v8proxy' }).config.servers[0]?.url).toBe(
      'https://vb365:4443/v8proxy',
    );
  });

  it('takes a key with nothing after it as unset, at the top level and in a server', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vb365-null-keys-'));
    const file = join(dir, 'config.yml');
    writeFileSync(
      file,
      'log_level:\nlisten_address:\nservers:\n  - url: https://a.example.com:4443\n    username: u\n    password: p\n    poll_interval:\n    organizations:\n',
    );
    const { config } = loadConfig(parseCommandLine(['--config', file]), {});
    expect([config.logLevel, config.listen]).toEqual(['info', [{ host: '', port: 10365 }]]);
    expect([config.servers[0]?.pollIntervalSeconds, config.servers[0]?.organizations]).toEqual([300, []]);
  });

  it('names a missing file', () => {
    expect(configError(() => loadConfig(parseCommandLine(['--config', '/nonexistent.yml']), {})).message).toBe(
      '--config: expected a readable YAML file, got "/nonexistent.yml" (ENOENT)',
    );
  });
});

describe('command line', () => {
  it('parses flags', () => {
    expect(parseCommandLine(['--config', 'a.yml', '--web.config.file=web.yml', '--check-config'])).toEqual({
      configFile: 'a.yml',
      webConfigFile: 'web.yml',
      listenAddresses: [],
      telemetryPath: undefined,
      logLevel: undefined,
      logFormat: undefined,
      checkConfig: true,
      help: false,
      version: false,
    });
  });

  it('parses the flags as node_exporter spells them, --web.listen-address as often as given', () => {
    expect(
      parseCommandLine([
        '--config.file=b.yml',
        '--web.listen-address',
        ':9100',
        '--web.listen-address=127.0.0.1:9101',
        '--web.telemetry-path=/probe',
        '--log.level',
        'debug',
        '--log.format=logfmt',
        '--config.check',
        '-h',
      ]),
    ).toEqual({
      configFile: 'b.yml',
      webConfigFile: undefined,
      listenAddresses: [':9100', '127.0.0.1:9101'],
      telemetryPath: '/probe',
      logLevel: 'debug',
      logFormat: 'logfmt',
      checkConfig: true,
      help: true,
      version: false,
    });
  });

  it('takes a flag first, then its environment variable, then the file, then the default', () => {
    const file = join(FIXTURES, 'valid.yml');
    const fromFlags = loadConfig(
      parseCommandLine([
        `--config.file=${file}`,
        '--web.listen-address=:9100',
        '--web.listen-address=[::1]:9101',
        '--log.level=debug',
        '--log.format=logfmt',
        '--web.telemetry-path=/vb365',
      ]),
      { VB365_LISTEN_ADDRESS: ':9999', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', VB365_TELEMETRY_PATH: '/env' },
    ).config;
    expect(fromFlags.listen).toEqual([
      { host: '', port: 9100 },
      { host: '::1', port: 9101 },
    ]);
    expect([fromFlags.logLevel, fromFlags.logFormat, fromFlags.telemetryPath]).toEqual(['debug', 'logfmt', '/vb365']);
    const fromEnv = loadConfig(parseCommandLine([`--config.file=${file}`]), {
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'logfmt',
      VB365_TELEMETRY_PATH: '/env',
    }).config;
    expect([fromEnv.logLevel, fromEnv.logFormat, fromEnv.telemetryPath]).toEqual(['warn', 'logfmt', '/env']);
    const defaults = loadConfig(noFlags, minimalEnv).config;
    expect([defaults.logFormat, defaults.telemetryPath]).toEqual(['json', '/metrics']);
  });

  it('names the flag, variable or key of a bad log format or telemetry path', () => {
    expect(configError(() => loadConfig(parseCommandLine(['--log.format=text']), minimalEnv)).message).toBe(
      '--log.format: expected one of json, logfmt, got "text"',
    );
    expect(configError(() => loadConfig(noFlags, { ...minimalEnv, VB365_TELEMETRY_PATH: '/healthz' })).message).toBe(
      'VB365_TELEMETRY_PATH: expected a path starting with / other than /, /healthz and /readyz, got "/healthz"',
    );
  });

  it('rejects an unknown flag and a flag without its value', () => {
    expect(configError(() => parseCommandLine(['--verbose'])).setting).toBe('command line');
    expect(configError(() => parseCommandLine(['--verbose'])).message).toBe(
      'command line: expected one of the flags listed by --help, got --verbose',
    );
    expect(configError(() => parseCommandLine(['--config'])).message).toBe('--config: expected a value after it');
    expect(configError(() => parseCommandLine(['--log.level='])).message).toBe(
      '--log.level: expected a value after it, got nothing',
    );
  });
});

describe('shard', () => {
  it('reads i/N, an index with a count, or a StatefulSet pod name', () => {
    expect(parseShard({ VB365_SHARD: '2/4' })).toEqual({ index: 2, count: 4 });
    expect(parseShard({ VB365_SHARD_INDEX: '3', VB365_SHARD_COUNT: '8' })).toEqual({ index: 3, count: 8 });
    expect(parseShard({ VB365_SHARD_INDEX: 'vb365-exporter-7', VB365_SHARD_COUNT: '8' })).toEqual({
      index: 7,
      count: 8,
    });
    expect(parseShard({ VB365_SHARD: '0/1' })).toBeUndefined(); // one shard is no sharding
    expect(parseShard({})).toBeUndefined();
  });
});
