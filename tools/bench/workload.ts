/** The changes the benchmark watches: when each one really finishes, drawn with a fixed seed. */
import type { ScheduleKind } from '../../domain/schedule';
import { logNormal, seededRandom } from './stats';

export const WORKLOAD = {
  seed: 20_261_128,
  changesPerKind: 200,
  /** Seconds from the API call to Deployed / Completed. */
  finish: {
    distribution: { median: 240, sigma: 0.6 },
    invalidation: { median: 30, sigma: 1.0 },
  },
  /**
   * Seconds from the API call to the watch's first check: CloudTrail → EventBridge → SQS → dispatcher →
   * StartExecution. AWS publishes no figure for CloudTrail's delivery to EventBridge; 5 s is an assumption, and it
   * delays every design alike (each checks at once when its watch starts).
   */
  deliveryOffsetSeconds: 5,
} as const;

export interface Change {
  readonly kind: ScheduleKind;
  /** 1-based within its kind. */
  readonly number: number;
  /** Seconds after the API call at which CloudFront reports the change done. */
  readonly finishSeconds: number;
}

/** Distributions first, then invalidations; the same seed gives the same changes on every machine. */
export function generateWorkload(
  seed: number = WORKLOAD.seed,
  changesPerKind: number = WORKLOAD.changesPerKind,
): Change[] {
  const random = seededRandom(seed);
  const kinds: ScheduleKind[] = ['distribution', 'invalidation'];
  return kinds.flatMap((kind) => {
    const { median, sigma } = WORKLOAD.finish[kind];
    return Array.from({ length: changesPerKind }, (_, index) => ({
      kind,
      number: index + 1,
      finishSeconds: logNormal(random, median, sigma),
    }));
  });
}
