/**
 * One buffered event → one watch execution. Takes its client and logger as arguments so tests and the local
 * runner drive exactly the code that runs in Lambda.
 */
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parseEventBridgeBody } from '../../domain/cloudtrail';
import { markLogged, type LogSink } from '../commons/log';
import { scheduleFor, type WatchSettings } from '../../domain/settings';
import { buildWatchExecution, WATCH_STARTED_LOG_MESSAGE, watchLogFields } from '../../domain/watch-execution';

export type DispatchOutcome =
  | { readonly result: 'started'; readonly executionName: string; readonly executionArn: string }
  | { readonly result: 'duplicate'; readonly executionName: string }
  | { readonly result: 'skipped'; readonly reason: string };

export interface DispatchDeps {
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly logger: LogSink;
  readonly stateMachineArn: string;
  readonly settings: WatchSettings;
  readonly now: () => Date;
}

/** Thrown for a message that can never become a watch; the record fails and ends in the dead-letter queue. */
export class UnusableEventError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnusableEventError';
  }
}

export async function dispatchEvent(body: string, deps: DispatchDeps): Promise<DispatchOutcome> {
  const parsed = parseEventBridgeBody(body, deps.settings);
  if (parsed.type === 'invalid') {
    deps.logger.error('Event cannot be watched; it goes back to the queue and on to the dead-letter queue', {
      reason: parsed.reason,
    });
    throw markLogged(new UnusableEventError(parsed.reason));
  }
  if (parsed.type === 'skip') {
    deps.logger.info('Event skipped', { reason: parsed.reason, eventName: parsed.eventName, eventId: parsed.eventId });
    return { result: 'skipped', reason: parsed.reason };
  }

  const { watch } = parsed;
  const execution = buildWatchExecution(
    watch,
    { retentionSeconds: deps.settings.retentionSeconds, schedule: scheduleFor(deps.settings) },
    deps.now(),
  );
  const context = {
    executionName: execution.name,
    ...watchLogFields(watch),
    maxChecks: execution.input.progress.maxChecks,
  };
  try {
    const response = await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArn,
        name: execution.name,
        input: JSON.stringify(execution.input),
      }),
    );
    deps.logger.info(WATCH_STARTED_LOG_MESSAGE, { ...context, executionArn: response.executionArn });
    return { result: 'started', executionName: execution.name, executionArn: response.executionArn ?? '' };
  } catch (error) {
    // A redelivered event, or a change the sweep found first, finds its watch already there: the duplicate we expect.
    if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
      deps.logger.info(
        'Watch already exists for this change (a duplicate delivery, or the sweep found it first)',
        context,
      );
      return { result: 'duplicate', executionName: execution.name };
    }
    deps.logger.warn('Could not start the watch; the record will be retried', {
      ...context,
      error: (error as Error).name,
      errorMessage: (error as Error).message,
    });
    throw markLogged(error as Error);
  }
}
