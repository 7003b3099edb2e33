/**
 * The burst: a CI pipeline that invalidates on every deploy and a Terraform apply across many distributions, all
 * within a minute, in one account whose CloudFront reads are rate-limited. Drawn with a fixed seed.
 */
import { watchedCall, type Watch } from '../../domain/cloudtrail';
import { seededRandom, logNormal } from './stats';
import { WORKLOAD, type Change } from './workload';

export const BURST = {
  seed: WORKLOAD.seed,
  invalidations: 300,
  /** The invalidations are spread evenly over this many distributions. */
  invalidatedDistributions: 5,
  /** Updates of as many distributions. */
  distributionUpdates: 20,
  /** Every API call of the burst is made within this many seconds of the first. */
  windowSeconds: 60,
  /**
   * The account's CloudFront read limit as the simulation applies it: a token bucket shared by every watch, refilled
   * at this rate and holding one second of calls. An assumption: CloudFront publishes no rate for its reads.
   */
  account: { readsPerSecond: 5, capacity: 5 },
} as const;

/** One change of the burst, with what its watch needs to call CloudFront. */
export interface BurstChange extends Change {
  /** Seconds after the burst's first moment at which the API call was made. */
  readonly callSeconds: number;
  readonly distributionId: string;
  readonly invalidationId?: string;
}

/** Invalidations and updates interleaved by the time of their call; the same seed gives the same burst everywhere. */
export function generateBurst(
  seed: number = BURST.seed,
  counts: { readonly invalidations: number; readonly distributionUpdates: number } = BURST,
): BurstChange[] {
  const random = seededRandom(seed);
  const draw = (kind: Change['kind']) => ({
    callSeconds: random() * BURST.windowSeconds,
    finishSeconds: logNormal(random, WORKLOAD.finish[kind].median, WORKLOAD.finish[kind].sigma),
  });
  const invalidations = Array.from({ length: counts.invalidations }, (_, index): BurstChange => {
    const distribution = (index % BURST.invalidatedDistributions) + 1;
    return {
      kind: 'invalidation',
      number: index + 1,
      distributionId: `EBURSTCI${String(distribution).padStart(6, '0')}`,
      invalidationId: `IBURST${String(index + 1).padStart(8, '0')}`,
      ...draw('invalidation'),
    };
  });
  const updates = Array.from({ length: counts.distributionUpdates }, (_, index): BurstChange => ({
    kind: 'distribution',
    number: index + 1,
    distributionId: `EBURSTTF${String(index + 1).padStart(6, '0')}`,
    ...draw('distribution'),
  }));
  return [...invalidations, ...updates].sort((a, b) => a.callSeconds - b.callSeconds);
}

/** The watch the dispatcher would build for the change's API call, made `callSeconds` after `epoch`. */
export function burstWatch(change: BurstChange, epoch: number): Watch {
  const letter = change.kind === 'distribution' ? 'd' : 'i';
  return {
    ...watchedCall(change.kind === 'distribution' ? 'UpdateDistribution' : 'CreateInvalidation'),
    eventId: `00000000-0000-4000-8000-b${letter}${String(change.number).padStart(10, '0')}`,
    startedAt: new Date(epoch + Math.floor(change.callSeconds) * 1_000).toISOString(),
    distributionId: change.distributionId,
    ...(change.invalidationId ? { invalidationId: change.invalidationId, paths: ['/*'] } : {}),
    changedBy: 'arn:aws:iam::123456789012:user/bench',
  };
}
