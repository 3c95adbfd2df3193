import { Backoff } from '../src/backoff.js';

/** The first `count` delays of a backoff whose random source always returns `random`. */
function delays(min: number, max: number, random: number, count: number): number[] {
  const backoff = new Backoff(min, max, () => random);
  return Array.from({ length: count }, () => backoff.next());
}

describe('Backoff', () => {
  it('doubles the shortest possible delay on every failure when the random source gives 0', () => {
    expect(delays(100, 10_000, 0, 6)).toEqual([100, 200, 400, 800, 1600, 3200]);
  });

  it('doubles the longest possible delay on every failure when the random source nears 1', () => {
    expect(delays(100, 10_000, 1 - Number.EPSILON, 5).map(Math.round)).toEqual([
      200, 400, 800, 1600, 3200,
    ]);
  });

  it('spreads delays across the upper half of the step when the random source varies', () => {
    expect(delays(100, 10_000, 0.5, 3)).toEqual([150, 300, 600]);
    expect(delays(100, 10_000, 0.25, 1)).not.toEqual(delays(100, 10_000, 0.75, 1));
  });

  it('stays at the maximum step, still jittered, when failures go on', () => {
    expect(delays(100, 1000, 0, 8).slice(-3)).toEqual([500, 500, 500]);
    expect(
      delays(100, 1000, 1 - Number.EPSILON, 8)
        .slice(-3)
        .map(Math.round),
    ).toEqual([1000, 1000, 1000]);
  });

  it('never waits less than min or more than max whatever the random source gives', () => {
    for (const [min, max] of [
      [10, 50],
      [100, 150],
      [100, 100],
      [1, 2_147_483_647],
    ] as const) {
      for (const random of [0, 0.1, 0.5, 0.9, 1 - Number.EPSILON]) {
        for (const delay of delays(min, max, random, 40)) {
          expect(delay).toBeGreaterThanOrEqual(min);
          expect(delay).toBeLessThanOrEqual(max);
        }
      }
    }
  });

  it('starts over from the shortest step when reset after a connection', () => {
    const backoff = new Backoff(100, 10_000, () => 0);
    backoff.next();
    backoff.next();
    expect(backoff.next()).toBe(400);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('uses Math.random when no random source is given', () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      expect(new Backoff(100, 10_000).next()).toBe(150);
      expect(random).toHaveBeenCalledTimes(1);
    } finally {
      random.mockRestore();
    }
  });
});
