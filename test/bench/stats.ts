/**
 * Pure helpers of `npm run bench`: summaries of samples (median, quartiles, range), paired ratios
 * of contenders measured in the same rounds, and the interleaved running order.
 */

/** A sample set reduced to what the report prints. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (linear interpolation, as numpy's default). */
  q1: number;
  q3: number;
  n: number;
}

/** The q-quantile (0..1) of already sorted values, interpolating between neighbours. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no samples');
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: quantileSorted(sorted, 0.5),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    q1: quantileSorted(sorted, 0.25),
    q3: quantileSorted(sorted, 0.75),
    n: sorted.length,
  };
}

/**
 * Ratios of `ours` to `reference` round by round (sample i of each was taken in the same round, so
 * load from other guests moves both), summarized. Rounds missing on either side are skipped.
 */
export function pairedRatios(ours: readonly number[], reference: readonly number[]): Summary {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(ours.length, reference.length); i++) {
    if (reference[i]! > 0) ratios.push(ours[i]! / reference[i]!);
  }
  return summarize(ratios);
}

/**
 * The running order for `rounds` rounds of the contenders: A B C A B C …, with each round's start
 * rotated (A B C, B C A, C A B …) so no contender always runs first, after the same other one.
 */
export function interleave<T>(contenders: readonly T[], rounds: number): T[] {
  const order: T[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) order.push(contenders[(round + i) % contenders.length]!);
  }
  return order;
}
