/** Time settings in Prometheus' duration grammar, everywhere a time is set (environment and YAML). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_FLAGS, parseCommandLine } from '../../src/config/args.js';
import { formatDuration, parseDurationMs } from '../../src/config/duration.js';
import { loadConfig } from '../../src/config/load.js';

const env = { VB365_URL: 'https://vb365:4443', VB365_USERNAME: 'u', VB365_PASSWORD: 'p' };

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['1m30s500ms', 90_500],
    ['250ms', 250],
    ['300', 300_000], // a bare whole number stays seconds
    [' 90s ', 90_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', '5 m', '1.5h', '-1s', '1s1h', '1h1h', '5M', '1hr', 'm', '5min', '3ss', '1d 2h'])(
    'refuses %j as Prometheus does',
    (text) => {
      expect(parseDurationMs(text)).toBeUndefined();
    },
  );

  it('writes durations the way Prometheus does', () => {
    expect([1_000, 90_000, 86_400_000, 5_400_000, 600_000, 0].map(formatDuration)).toEqual([
      '1s',
      '1m30s',
      '1d',
      '1h30m',
      '10m',
      '0s',
    ]);
  });

  it('sets poll_interval and request_timeout from the environment and from YAML, a bare number as seconds', () => {
    const fromEnv = loadConfig(NO_FLAGS, { ...env, VB365_POLL_INTERVAL: '5m', VB365_REQUEST_TIMEOUT: '1m30s' }).config;
    expect([fromEnv.servers[0]?.pollIntervalSeconds, fromEnv.servers[0]?.requestTimeoutSeconds]).toEqual([300, 90]);
    expect(loadConfig(NO_FLAGS, { ...env, VB365_POLL_INTERVAL: '120' }).config.servers[0]?.pollIntervalSeconds).toBe(
      120,
    );
    const dir = mkdtempSync(join(tmpdir(), 'vb365-duration-'));
    const file = join(dir, 'config.yml');
    writeFileSync(
      file,
      'servers:\n' +
        '  - { url: "https://a:4443", username: u, password: p, poll_interval: 1h, request_timeout: 45s }\n' +
        '  - { name: b, url: "https://b:4443", username: u, password: p, poll_interval: 600, request_timeout: 500ms }\n',
    );
    expect(() => loadConfig(parseCommandLine([`--config.file=${file}`]), {})).toThrow(
      'servers[1].request_timeout (' +
        file +
        '): expected a duration such as 30s, 5m or 1h30m (or whole seconds) from 1s to 10m, got "500ms"',
    );
    writeFileSync(
      file,
      'servers:\n' +
        '  - { url: "https://a:4443", username: u, password: p, poll_interval: 1h, request_timeout: 45s }\n' +
        '  - { name: b, url: "https://b:4443", username: u, password: p, poll_interval: 600 }\n',
    );
    const servers = loadConfig(parseCommandLine([`--config.file=${file}`]), {}).config.servers;
    expect(servers.map((server) => [server.pollIntervalSeconds, server.requestTimeoutSeconds])).toEqual([
      [3600, 45],
      [600, 30],
    ]);
  });
});
