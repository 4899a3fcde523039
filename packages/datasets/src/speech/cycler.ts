import type { Rng } from '@ttrnn/random';

/** The serialisable state of a `RandomCycler`. */
export interface RandomCyclerState {
  /** Items left in the current cycle, in the order they will come out. */
  readonly queue: readonly number[];
  /** The last item drawn, or null before the first draw. */
  readonly last: number | null;
}

/**
 * Draws indices 0..n−1 in cycles, like the original's `RandomCycler`: each
 * cycle is a fresh random permutation, so every item comes out once per
 * cycle. On top of the original: the first item of a new cycle is never the
 * last item of the previous one (when n > 1), and one `sample` call never
 * returns an item twice (items already drawn in the call are moved to the
 * back of a cycle that starts mid-call), so a GE2E batch has distinct
 * speakers and distinct utterances.
 *
 * The generator is passed in, so one seeded `Rng` drives several cyclers
 * and the whole state is (rng state, cycler states).
 */
export class RandomCycler {
  readonly n: number;
  private queue: number[] = [];
  private last: number | null = null;

  constructor(n: number) {
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`'n' passed to 'RandomCycler' must be a positive integer, got ${n}`);
    this.n = n;
  }

  /** `count` distinct items (count ≤ n). */
  sample(count: number, rng: Rng): number[] {
    if (!Number.isInteger(count) || count < 0 || count > this.n) {
      throw new Error(`'count' passed to 'RandomCycler.sample' must be an integer in [0, ${this.n}], got ${count}`);
    }
    const out: number[] = [];
    const taken = new Set<number>();
    while (out.length < count) {
      if (this.queue.length === 0) this.refill(rng, taken);
      const item = this.queue.shift() as number;
      out.push(item);
      taken.add(item);
      this.last = item;
    }
    return out;
  }

  private refill(rng: Rng, taken: ReadonlySet<number>): void {
    const perm = rng.permutation(this.n);
    if (this.n > 1 && perm[0] === this.last) {
      const j = 1 + rng.int(this.n - 1);
      perm[0] = perm[j] as number;
      perm[j] = this.last;
    }
    if (taken.size > 0) {
      // Stable partition: items not yet in this draw first.
      this.queue = [...perm.filter((i) => !taken.has(i)), ...perm.filter((i) => taken.has(i))];
    } else {
      this.queue = perm;
    }
  }

  getState(): RandomCyclerState {
    return { queue: [...this.queue], last: this.last };
  }

  setState(state: RandomCyclerState): void {
    const ok =
      state !== null &&
      typeof state === 'object' &&
      Array.isArray(state.queue) &&
      state.queue.every((i) => Number.isInteger(i) && i >= 0 && i < this.n) &&
      (state.last === null || (Number.isInteger(state.last) && state.last >= 0 && state.last < this.n));
    if (!ok)
      throw new Error(
        `'state' passed to 'RandomCycler.setState' is not a state of a cycler over ${this.n} items: ${JSON.stringify(state)}`,
      );
    this.queue = [...state.queue];
    this.last = state.last;
  }
}
