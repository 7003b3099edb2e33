import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  definitionParts,
  DIAGRAM_CONTEXT,
  kindStateDiagram,
  overviewStateDiagram,
  stateMachineDocument,
} from '../../tools/lib/mermaid';
import { deployedDefinition } from '../support/definition';

const DOCUMENT = fileURLToPath(new URL('../../docs/state-machine.md', import.meta.url));
const SHARED = [
  'Hand over to a new execution',
  'Continue watch in a new execution',
  'Watch continues in a new execution',
  'Watch timed out',
  'Notification not sent',
  'Status check failed',
];

describe('the state machine diagrams', () => {
  it('docs/state-machine.md is what npm run diagram makes of the synthesized definition (run it after changing the workflow)', () => {
    // Arrange
    const expected = stateMachineDocument(deployedDefinition(DIAGRAM_CONTEXT));
    // Act
    const committed = readFileSync(DOCUMENT, 'utf8');
    // Assert
    expect(committed, 'docs/state-machine.md is stale: run npm run diagram').toBe(expected);
  });

  it('splits the definition into the kinds of watch, the states only the kind choice reaches and the shared ones', () => {
    // Act
    const parts = definitionParts(deployedDefinition(DIAGRAM_CONTEXT));
    // Assert
    expect(parts.kinds.map((part) => part.kind)).toEqual([
      'distribution',
      'invalidation',
      'tenant',
      'tenant-invalidation',
    ]);
    expect(parts.common).toEqual([
      'Which kind of change?',
      'Not a watch input',
      'Start counting unanswered checks',
      'Start counting the watch time',
      'Start without back-off',
      ...SHARED,
    ]);
    expect(parts.kinds.map((part) => part.shared)).toEqual([SHARED, SHARED, SHARED, SHARED]);
    expect(parts.kinds.map((part) => part.own.length)).toEqual([33, 29, 33, 29]);
    expect(parts.kinds[1]!.own.slice(0, 2)).toEqual(['Get invalidation status', 'Completed?']);
  });

  it('finds only the kinds the default stack watches', () => {
    // Act
    const parts = definitionParts(deployedDefinition());
    // Assert
    expect(parts.kinds.map((part) => part.kind)).toEqual(['distribution', 'invalidation']);
  });

  it('draws every state, and every transition out of Next, Choices, Default and Catch, in the overview or a kind diagram', () => {
    // Arrange
    const definition = deployedDefinition(DIAGRAM_CONTEXT);
    const parts = definitionParts(definition);
    // Act
    const diagrams = [
      overviewStateDiagram(definition, parts),
      ...parts.kinds.map((part) => kindStateDiagram(definition, part)),
    ].join('\n');
    // Assert
    const ids = new Map(Object.keys(definition.States).map((name, index) => [name, `s${index}`]));
    for (const [name, state] of Object.entries(definition.States)) {
      expect(diagrams).toContain(`state "${name}" as ${ids.get(name)}`);
      const targets = [
        state.Next,
        state.Default,
        ...((state.Choices ?? []) as Array<{ Next: string }>).map((rule) => rule.Next),
        ...((state.Catch ?? []) as Array<{ Next: string }>).map((catcher) => catcher.Next),
      ].filter((target): target is string => typeof target === 'string');
      for (const target of targets)
        expect(diagrams).toMatch(new RegExp(`^  ${ids.get(name)} --> ${ids.get(target)}(:|$)`, 'm'));
    }
  });

  it('draws a kind with the kind choice and the shared states, and without the states of other kinds', () => {
    // Arrange
    const definition = deployedDefinition(DIAGRAM_CONTEXT);
    const [distribution] = definitionParts(definition).kinds;
    // Act
    const diagram = kindStateDiagram(definition, distribution!);
    // Assert
    expect(diagram).toContain('state "Which kind of change?" as s0');
    expect(diagram).toContain('state "Hand over to a new execution"');
    expect(diagram).not.toContain('Get invalidation status');
    expect(diagram).not.toContain('Not a watch input');
    expect(diagram).toMatch(/^ {2}s0 --> s\d+: watch\.kind = 'distribution' and status present$/m);
  });

  it('labels choices with their rule and ends Fail states with their error', () => {
    // Arrange
    const definition = deployedDefinition(DIAGRAM_CONTEXT);
    // Act
    const diagram = kindStateDiagram(definition, definitionParts(definition).kinds[0]!);
    // Assert
    expect(diagram).toMatch(/--> s\d+: status\.value = 'Deployed' and watch\.eTag present/);
    expect(diagram).toMatch(/--> s\d+: progress\.check >= progress\.maxChecks/);
    expect(diagram).toMatch(/--> \[\*\]: fails with WatchTimedOut/);
  });

  it('draws each kind as one box in the overview, entered by its kind and left for the hand-over and the ends', () => {
    // Act
    const overview = overviewStateDiagram(deployedDefinition(DIAGRAM_CONTEXT));
    // Assert
    expect(overview).toContain('state "tenant watch (33 states)" as k2');
    expect(overview).toMatch(/^ {2}s0 --> k2: watch\.kind = 'tenant'$/m);
    expect(overview).toMatch(/^ {2}k2 --> s\d+: progress\.check >= progress\.continueAt$/m);
    expect(overview).toContain('  k1 --> [*]: ends in Invalidation is completed, Invalidation not found\n');
    expect(overview).toMatch(/^ {2}s0 --> s1: no watch\.kind$/m);
    expect(overview).not.toContain('Get distribution status');
  });
});
