/** The fake clock the timing tests rely on: timers and sleeps fire in due order, at their due time, only when advanced. */
import { describe, expect, it } from 'vitest';
import { FAKE_CLOCK_START_MS as T0, fakeClock } from '../support/fake-clock.js';

describe('fake clock', () => {
  it('fires what falls due in due order (ties in the order set), each at its own due time', async () => {
    const clock = fakeClock();
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now() - T0}`);
    clock.setTimer(30, at('c'));
    clock.setTimer(10, at('a'));
    clock.setTimer(10, at('b'));
    const cancel = clock.setTimer(20, at('cancelled'));
    cancel();
    expect(clock.pending()).toEqual([T0 + 10, T0 + 10, T0 + 30]);
    await clock.advance(29);
    expect(fired).toEqual(['a@10', 'b@10']);
    expect(clock.now()).toBe(T0 + 29);
    await clock.advance(1);
    expect(fired).toEqual(['a@10', 'b@10', 'c@30']);
    expect(clock.pending()).toEqual([]);
  });

  it('runs what a fired sleep wakes up, so waits set during advance() fire within it', async () => {
    const clock = fakeClock();
    const wakes: number[] = [];
    const never = new AbortController().signal;
    void (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(100, never);
        wakes.push(clock.now() - T0);
      }
    })();
    await clock.advance(250);
    expect(wakes).toEqual([100, 200]);
    expect(clock.pending()).toEqual([T0 + 300]);
  });

  it('ends an aborted sleep at once and forgets it', async () => {
    const clock = fakeClock();
    const abort = new AbortController();
    const sleeping = clock.sleep(1_000, abort.signal);
    expect(clock.pending()).toEqual([T0 + 1_000]);
    abort.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pending()).toEqual([]);
  });

  it('skips sleeps up to skipSleepsUpToMs without moving time, and records them', async () => {
    const clock = fakeClock({ skipSleepsUpToMs: 500 });
    const never = new AbortController().signal;
    await clock.sleep(500, never);
    expect(clock.now()).toBe(T0);
    expect(clock.skippedSleeps).toEqual([500]);
    void clock.sleep(501, never);
    expect(clock.pending()).toEqual([T0 + 501]);
    expect(clock.skippedSleeps).toEqual([500]);
  });

  it('refuses to go back in time', async () => {
    await expect(fakeClock().advance(-1)).rejects.toThrow(RangeError);
  });
});
