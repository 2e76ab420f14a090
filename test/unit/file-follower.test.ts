/**
 * The follower shared by ca_file and the web configuration's certificates: a real file on disk, read again
 * at each tick of the fake clock; changes applied once, failures and warnings logged once per reason, the
 * reload outcome reported as the metrics need it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileFollower, type Look } from '../../src/file-follower.js';
import { createLogger } from '../../src/logger.js';
import { fakeClock } from '../support/fake-clock.js';
import { LogCapture } from '../support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'vb365-file-follower-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Follows a new file holding `content`, started: "broken" is a failure, "other" a warning, anything else
 * is applied.
 */
function follow(name: string, content: string) {
  const file = join(dir, name);
  writeFileSync(file, content);
  const clock = fakeClock();
  const logs = new LogCapture();
  const applied: string[] = [];
  const reloads: Array<[boolean, number]> = [];
  const follower = new FileFollower({
    initial: readFileSync(file, 'utf8'),
    look: (): Look<string> => {
      const text = readFileSync(file, 'utf8');
      if (text === 'broken') return { failed: 'the file is broken' };
      if (text === 'other') return { ignored: 'another setting', warning: 'not for this follower' };
      return { found: text };
    },
    same: (a, b) => a === b,
    apply: (next) => applied.push(next),
    intervalMs: 1_000,
    clock,
    logger: createLogger('debug', logs),
    failedMessage: 'reload failed',
    recoveredMessage: 'valid again',
    onReload: (successful, atMs) => reloads.push([successful, atMs]),
  });
  follower.start();
  return { file, clock, logs, applied, reloads, follower };
}

describe('file follower', () => {
  it('applies a change at the next look, and only once', async () => {
    const { file, clock, applied, reloads, follower } = follow('change.txt', 'first');
    await clock.advance(1_000);
    expect(applied).toEqual([]);
    writeFileSync(file, 'second');
    await clock.advance(999);
    expect(applied).toEqual([]);
    await clock.advance(1);
    await clock.advance(1_000);
    expect(applied).toEqual(['second']);
    expect(reloads).toEqual([[true, clock.now() - 1_000]]);
    follower.stop();
  });

  it('keeps what is in force while the file is broken, says so once, and says when it is back', async () => {
    const { file, clock, logs, applied, reloads, follower } = follow('broken.txt', 'good');
    writeFileSync(file, 'broken');
    await clock.advance(3_000);
    expect(logs.lines.filter((line) => line['msg'] === 'reload failed').map((line) => line['reason'])).toEqual([
      'the file is broken',
    ]);
    expect(reloads.map(([successful]) => successful)).toEqual([false]);
    writeFileSync(file, 'good');
    await clock.advance(1_000);
    expect(applied).toEqual([]);
    expect(logs.messages()).toContain('valid again');
    expect(reloads.map(([successful]) => successful)).toEqual([false, true]);
    follower.stop();
  });

  it('warns once about what it may not apply, without reporting a reload', async () => {
    const { file, clock, logs, applied, reloads, follower } = follow('other.txt', 'good');
    writeFileSync(file, 'other');
    await clock.advance(3_000);
    expect(logs.lines.filter((line) => line['msg'] === 'not for this follower')).toHaveLength(1);
    expect([applied, reloads]).toEqual([[], []]);
    follower.stop();
  });

  it('looks no more once stopped', async () => {
    const { file, clock, applied, follower } = follow('stopped.txt', 'first');
    follower.stop();
    writeFileSync(file, 'second');
    await clock.advance(5_000);
    expect(applied).toEqual([]);
    expect(clock.pending()).toEqual([]);
  });
});
