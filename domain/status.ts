/**
 * A kind's status call in data: the parameters read from the watch and what is kept of the answer, so the state
 * machine's status Task, the Lambdas that read a status and the simulator ask and keep exactly the same.
 */
import { valueAt } from './cloudtrail';
import { KINDS, type WatchKind } from './kinds';
import type { WatchDetails } from './watch-execution';

export type StatusParameters = Record<string, string>;

/** The parameters of a kind's status call, read from the watch as the state machine reads them. */
export function statusParameters(
  kind: WatchKind,
  watch: Pick<WatchDetails, 'distributionId' | 'tenantId' | 'invalidationId'>,
): StatusParameters {
  return Object.fromEntries(
    Object.entries(KINDS[kind].statusCall.parameters).map(([name, field]) => [name, watch[field] ?? '']),
  );
}

/** What the workflow keeps of an answer (its $.status): each answer field of the kind's status call that it holds. */
export function selectStatus(kind: WatchKind, answer: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(KINDS[kind].statusCall.answer)
      .map(([key, path]): [string, unknown] => [key, valueAt(answer, path)])
      .filter(([, value]) => value !== undefined),
  );
}
