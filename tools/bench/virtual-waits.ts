/**
 * The deployed definition with a virtual clock: every Wait state becomes a Task whose local handler moves the clock
 * on by the seconds the Wait would wait, read by the engine from the same SecondsPath (or Seconds). Only the
 * benchmark's copy changes; the real Wait is covered by the state machine tests.
 */
import type { AslDefinition, AslState } from '../../statemachine/definition';
import { PATHS } from '../../statemachine/paths';

/** Never called: the benchmark answers these Tasks itself (runLocally's extraHandlers). */
const VIRTUAL_WAIT_RESOURCE = 'arn:aws:lambda:us-east-1:123456789012:function:bench-virtual-wait';

/** What a virtual wait receives: the Wait's seconds and the number of the check that follows it. */
export interface VirtualWaitInput {
  readonly seconds: number;
  readonly nextCheck: number;
}

interface VirtualDefinition {
  readonly definition: AslDefinition;
  /** Names of the states that were Wait states. */
  readonly waitStates: readonly string[];
}

export function withVirtualWaits(original: AslDefinition): VirtualDefinition {
  const definition = structuredClone(original) as AslDefinition & { States: Record<string, AslState> };
  const waitStates: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Wait') continue;
    const seconds =
      typeof state.SecondsPath === 'string'
        ? { 'seconds.$': state.SecondsPath }
        : typeof state.Seconds === 'number'
          ? { seconds: state.Seconds }
          : undefined;
    if (!seconds) throw new Error(`Wait "${name}" has neither Seconds nor SecondsPath; the benchmark cannot time it`);
    definition.States[name] = {
      Type: 'Task',
      Comment: `Virtual clock in place of the Wait state "${name}" (benchmark only).`,
      Resource: VIRTUAL_WAIT_RESOURCE,
      Parameters: { ...seconds, 'nextCheck.$': PATHS.check },
      ResultPath: null,
      Next: state.Next,
    };
    waitStates.push(name);
  }
  if (waitStates.length === 0)
    throw new Error('the definition has no Wait state: nothing for the virtual clock to replace');
  return { definition, waitStates };
}
