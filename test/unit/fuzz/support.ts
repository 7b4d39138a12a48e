/**
 * The fuzz suites' tools: a seeded PRNG (mulberry32, reproducible), pickers, byte and text
 * mutators, and the property every suite checks: a call returns a value or throws one of the
 * allowed error types, never anything else, and no single call takes long (a hang or a
 * super-linear blow-up shows as a call over the budget). TSDM_FUZZ_ROUNDS runs longer.
 */
import { expect } from 'vitest';

/** Iterations per suite; the CI default keeps the whole fuzz directory within a few seconds. */
export const ROUNDS = Number(process.env['TSDM_FUZZ_ROUNDS'] ?? 2000);
/** The longest any one call may take, in ms (a hang or a quadratic path shows as more). */
export const CALL_BUDGET_MS = Number(process.env['TSDM_FUZZ_CALL_MS'] ?? 1000);

/** Mixed into every suite's seed: TSDM_FUZZ_SEED=n explores other inputs (0, the default, is CI's). */
export const SEED = Number(process.env['TSDM_FUZZ_SEED'] ?? 0);

export type Rng = () => number;

/** mulberry32: small, seeded, reproducible. */
export function rng(seed: number): Rng {
  let state = (seed ^ Math.imul(SEED, 0x9e3779b1)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (next: Rng, below: number): number => Math.floor(next() * below);
export const pick = <T>(next: Rng, list: readonly T[]): T => list[int(next, list.length)]!;

/** Interesting 32-bit values: boundaries and small numbers. */
const U32_EDGES = [0, 1, 2, 7, 8, 304, 305, 312, 4096, 16384, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff];

/** `buffer` with a few random changes: flipped bytes, a u32 overwritten with an edge value, a run zeroed. */
export function mutateBytes(next: Rng, buffer: Buffer, within = buffer.length): Buffer {
  const out = Buffer.from(buffer);
  const changes = 1 + int(next, 4);
  for (let i = 0; i < changes; i++) {
    const roll = next();
    const at = int(next, Math.max(1, within));
    if (roll < 0.4) out[at] = int(next, 256);
    else if (roll < 0.8 && at + 4 <= out.length) out.writeUInt32LE(next() < 0.5 ? pick(next, U32_EDGES) : int(next, 2 ** 32), at & ~3);
    else out.fill(next() < 0.5 ? 0 : 0xff, at, Math.min(out.length, at + int(next, 64)));
  }
  return out;
}

/** `text` with a few random edits: characters inserted, deleted, duplicated or replaced by odd ones. */
export function mutateText(next: Rng, text: string, alphabet: readonly string[]): string {
  let out = text;
  const edits = 1 + int(next, 4);
  for (let i = 0; i < edits; i++) {
    const at = int(next, out.length + 1);
    const roll = next();
    if (roll < 0.3) out = out.slice(0, at) + pick(next, alphabet) + out.slice(at);
    else if (roll < 0.55) out = out.slice(0, at) + out.slice(at + 1 + int(next, 4));
    else if (roll < 0.75) out = out.slice(0, at) + out.slice(at, at + int(next, 8)).repeat(1 + int(next, 3)) + out.slice(at);
    else out = out.slice(0, at) + pick(next, alphabet) + out.slice(at + 1);
  }
  return out;
}

/** Random text from `alphabet`, up to `max` pieces long. */
export function randomText(next: Rng, alphabet: readonly string[], max = 24): string {
  return Array.from({ length: int(next, max + 1) }, () => pick(next, alphabet)).join('');
}

/** Odd characters every text fuzzer mixes in. */
export const ODD = ['\0', '\n', '\t', ' ', '\\', '"', "'", '#', '\u00a0', '\ufffd', '\ud800', '€', '(', ')', ',', '=', '-', '--'];

/** Counts calls per suite, so each prints how many iterations it ran. */
export class Tally {
  calls = 0;
  values = 0;
  refusals = 0;
  slowest = 0;

  constructor(private readonly suite: string) {}

  /**
   * Runs `call`; a throw must satisfy `allowed`, and the call must finish within the budget.
   * `what` describes the input, for the failure message (a reproducer with the seed).
   */
  run(call: () => unknown, allowed: (error: unknown) => boolean, what: () => string): void {
    this.calls++;
    const started = performance.now();
    try {
      call();
      this.values++;
    } catch (error) {
      if (!allowed(error)) expect.fail(`${this.suite}: ${what()} threw ${(error as Error)?.stack ?? String(error)}`);
      this.refusals++;
    }
    const took = performance.now() - started;
    this.slowest = Math.max(this.slowest, took);
    if (took > CALL_BUDGET_MS) expect.fail(`${this.suite}: ${what()} took ${took.toFixed(0)} ms`);
  }

  /** Prints the counts (the CI log shows what the suite covered). */
  report(): void {
    console.log(`fuzz ${this.suite} (seed ${SEED}): ${this.calls} iterations (${this.values} values, ${this.refusals} refusals), slowest ${this.slowest.toFixed(1)} ms`);
    expect(this.calls).toBeGreaterThan(0);
  }
}
