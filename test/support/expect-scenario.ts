/**
 * What a scenario run must show, checked the same way for every engine: the in-process tests and the Step Functions
 * Local suite turn their run into a ScenarioObservation and call expectScenario.
 */
import { expect } from 'vitest';
import type { ScenarioObservation } from '../../tools/scenarios/observation';
import type { WatchScenario } from '../../tools/scenarios/watch-scenarios';

/**
 * One comparison of everything the scenario expects, so a failure shows every difference in a single diff.
 * `where` names the run to look at (for example the execution ARN) in the failure message.
 */
export function expectScenario(scenario: WatchScenario, observed: ScenarioObservation, where?: string): void {
  const { expected } = scenario;
  const actual = {
    status: observed.status,
    error: observed.error,
    cloudfrontCalls: observed.cloudfrontCalls,
    publishedOutcomes: observed.publishedOutcomes,
    changeEventOutcomes: observed.changeEventOutcomes,
    metricOutcomes: observed.metricOutcomes,
    continuations: observed.continuations,
    unanswered: observed.unanswered,
    finalState: observed.statesEntered.at(-1),
  };
  expect(actual, where).toEqual({
    status: expected.status,
    error: expected.error,
    cloudfrontCalls: expected.cloudfrontCalls,
    publishedOutcomes: Array.from({ length: expected.publishes }, () => expected.outcome),
    // Every watch that ends, ends with one Change Finished event and one metrics call, after its notification.
    changeEventOutcomes: Array.from({ length: expected.publishes }, () => expected.outcome),
    metricOutcomes: Array.from({ length: expected.publishes }, () => expected.outcome),
    continuations: expected.continuations,
    unanswered: expected.unanswered ?? 0,
    finalState: expected.finalState,
  });
}
