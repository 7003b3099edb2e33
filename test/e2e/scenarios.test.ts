import { describe, expect, it } from 'vitest';
import { renderNotification, type NotificationValues } from '../../functions/commons/notification';
import { runLocally } from '../../tools/lib/local-engine';
import { scriptedCloudFront, SIMULATED_DOMAIN, SIMULATED_ETAG } from '../../tools/lib/simulated-cloudfront';
import { isRecentStatusCall } from '../../statemachine/constants';
import { deployedDefinition, TENANT_CONTEXTS } from '../support/definition';
import { observeLocalRun } from '../../tools/scenarios/observation';
import { expectScenario } from '../support/expect-scenario';
import { WATCH_SCENARIOS } from '../../tools/scenarios/watch-scenarios';

const ENTERED_TIME = '2026-11-28T09:20:00Z';

describe('the synthesized watch state machine, run in aws-local-stepfunctions', () => {
  // A tenant scenario runs on both ways of reading a tenant's status: the status-reader Lambda and the aws-sdk integration.
  const runs = WATCH_SCENARIOS.flatMap((scenario) =>
    isRecentStatusCall(scenario.input.watch.kind)
      ? TENANT_CONTEXTS.map(({ tenantStatusCheck, context }) => ({
          scenario,
          variant: `tenantStatusCheck=${tenantStatusCheck}`,
          context,
        }))
      : [{ scenario, variant: 'default stack', context: {} }],
  );

  it.each(runs)('$scenario.name ($variant): $scenario.description', async ({ scenario, context }) => {
    // Arrange
    const definition = deployedDefinition(context);
    // Act
    const run = await runLocally(definition, scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    expectScenario(scenario, observeLocalRun(run));
  });

  it('publishes exactly the subject, body and attributes that renderNotification produces', async () => {
    // Arrange
    const scenario = WATCH_SCENARIOS.find((candidate) => candidate.name === 'DeployedAfterFourChecks')!;
    const { watch } = scenario.input;
    const values: NotificationValues = {
      distributionId: watch.distributionId,
      invalidationId: '',
      tenantId: '',
      eTag: watch.eTag!,
      currentETag: SIMULATED_ETAG,
      change: watch.change,
      changedBy: watch.changedBy,
      startedAt: watch.startedAt,
      paths: '',
      consoleUrl: watch.consoleUrl,
      eventId: watch.eventId,
      watchLimit: watch.watchLimit,
      checks: 4,
      endedAt: ENTERED_TIME,
      domainName: SIMULATED_DOMAIN,
      errorName: '',
      errorCause: '',
    };
    const expected = renderNotification('distribution', 'deployed', values);
    // Act
    const run = await runLocally(deployedDefinition(), scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    const [published] = run.published;
    expect(published!.Subject).toBe(expected.subject);
    expect(published!.Message).toBe(expected.message);
    expect(published!.MessageAttributes).toEqual({
      outcome: { DataType: 'String', StringValue: 'deployed' },
      kind: { DataType: 'String', StringValue: 'distribution' },
      distributionId: { DataType: 'String', StringValue: watch.distributionId },
    });
  });
});
