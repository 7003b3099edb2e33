/** The benchmark's arithmetic: a seeded random source, the workload's distribution, percentiles and prices. */

/** Step Functions Standard: USD per state transition ($0.025 per 1,000). */
const USD_PER_TRANSITION = 0.025 / 1_000;
/** EventBridge custom events: $1.00 per million (https://aws.amazon.com/eventbridge/pricing/); one per watch. */
export const USD_PER_CHANGE_EVENT = 1 / 1_000_000;
/** CloudWatch PutMetricData: $0.01 per 1,000 requests (https://aws.amazon.com/cloudwatch/pricing/); one per watch. */
export const USD_PER_METRICS_CALL = 0.01 / 1_000;

/** mulberry32: small, fast and the same on every machine, so a seed fixes the whole workload. Values in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A log-normal draw with the given median (e^mu) and sigma, by Box-Muller. */
export function logNormal(random: () => number, median: number, sigma: number): number {
  const u = 1 - random();
  const v = random();
  const standardNormal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * standardNormal);
}

/** The p-quantile (0..1) with linear interpolation between the closest ranks (as numpy's default). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (p < 0 || p > 1) throw new Error(`percentile ${p} is outside 0..1`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (rank - below);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('mean of no values');
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** What one watch costs: its state transitions, and at its end one Change Finished event and one PutMetricData call. */
export function costUsd(transitions: number): number {
  return transitions * USD_PER_TRANSITION + USD_PER_CHANGE_EVENT + USD_PER_METRICS_CALL;
}
