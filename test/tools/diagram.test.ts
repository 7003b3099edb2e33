import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mermaidStateDiagram, stateMachineDocument } from '../../tools/lib/mermaid';
import { deployedDefinition } from '../support/definition';

const DOCUMENT = fileURLToPath(new URL('../../docs/state-machine.md', import.meta.url));

describe('the state machine diagram', () => {
  it('docs/state-machine.md is what npm run diagram makes of the synthesized definition (run it after changing the workflow)', () => {
    // Arrange
    const expected = stateMachineDocument(deployedDefinition());
    // Act
    const committed = readFileSync(DOCUMENT, 'utf8');
    // Assert
    expect(committed, 'docs/state-machine.md is stale: run npm run diagram').toBe(expected);
  });

  it('draws every state, and every transition out of Next, Choices, Default and Catch', () => {
    // Arrange
    const definition = deployedDefinition();
    // Act
    const diagram = mermaidStateDiagram(definition);
    // Assert
    const ids = new Map(Object.keys(definition.States).map((name, index) => [name, `s${index}`]));
    for (const [name, state] of Object.entries(definition.States)) {
      expect(diagram).toContain(`state "${name}" as ${ids.get(name)}`);
      const targets = [
        state.Next,
        state.Default,
        ...((state.Choices ?? []) as Array<{ Next: string }>).map((rule) => rule.Next),
        ...((state.Catch ?? []) as Array<{ Next: string }>).map((catcher) => catcher.Next),
      ].filter((target): target is string => typeof target === 'string');
      for (const target of targets)
        expect(diagram).toMatch(new RegExp(`^  ${ids.get(name)} --> ${ids.get(target)}(:|$)`, 'm'));
    }
  });

  it('labels choices with their rule and ends Fail states with their error', () => {
    // Act
    const diagram = mermaidStateDiagram(deployedDefinition());
    // Assert
    expect(diagram).toMatch(/--> s\d+: status\.value = 'Deployed'/);
    expect(diagram).toMatch(/--> s\d+: progress\.check >= progress\.maxChecks/);
    expect(diagram).toMatch(/--> \[\*\]: fails with WatchTimedOut/);
  });
});
