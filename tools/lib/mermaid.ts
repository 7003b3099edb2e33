/**
 * A Mermaid stateDiagram of a watch definition, drawn from the synthesized ASL itself so the picture cannot drift
 * from what deploys. Choice rules, catches and retries become labels and notes.
 */
import type { AslDefinition, AslState } from '../../statemachine/definition';

interface ChoiceRule {
  readonly Variable?: string;
  readonly Next?: string;
  readonly [operator: string]: unknown;
}

/** One entry of a state's Retry list. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly MaxAttempts?: number;
  readonly IntervalSeconds?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
}

const OPERATORS: Record<string, string> = {
  StringEquals: '=',
  NumericEquals: '=',
  NumericLessThan: '<',
  NumericLessThanEquals: '<=',
  NumericGreaterThan: '>',
  NumericGreaterThanEquals: '>=',
  BooleanEquals: '=',
};

/** Mermaid ends a label at a quote or a semicolon, and reads "#" as the start of an entity. */
function label(text: string): string {
  return text.replace(/"/g, "'").replace(/;/g, ',').replace(/#/g, 'no. ');
}

function shortPath(path: string): string {
  return path.replace(/^\$\.?/, '');
}

function describeRule(rule: ChoiceRule): string {
  const variable = shortPath(rule.Variable ?? '?');
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    const operator = OPERATORS[key.replace(/Path$/, '')];
    if (operator === undefined) return `${variable} ${key} ${JSON.stringify(value)}`;
    const operand = key.endsWith('Path')
      ? shortPath(String(value))
      : typeof value === 'string'
        ? `'${value}'`
        : String(value);
    return `${variable} ${operator} ${operand}`;
  }
  return variable;
}

function describeRetry(retriers: readonly Retrier[]): string {
  return retriers
    .map((retrier) => {
      const attempts = retrier.MaxAttempts ?? 3;
      if (attempts === 0) return `never ${retrier.ErrorEquals.join(', ')}`;
      const backoff = `${retrier.IntervalSeconds ?? 1} s, x${retrier.BackoffRate ?? 2}${retrier.MaxDelaySeconds ? `, at most ${retrier.MaxDelaySeconds} s` : ''}`;
      return `${retrier.ErrorEquals.join(', ')} up to ${attempts} times (${backoff})`;
    })
    .join('; then ');
}

/** One row per Task: what it calls and how it retries, which the diagram leaves out to stay readable. */
function taskTable(definition: AslDefinition): string[] {
  const rows = Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(
      ([name, state]) =>
        `| ${name} | \`${String(state.Resource)}\` | ${describeRetry((state.Retry ?? []) as Retrier[]) || 'none'} |`,
    );
  return ['| Task | calls | retries |', '|---|---|---|', ...rows];
}

export function mermaidStateDiagram(definition: AslDefinition): string {
  const names = Object.keys(definition.States);
  const id = (name: string) => {
    const index = names.indexOf(name);
    if (index < 0) throw new Error(`a transition goes to "${name}", which is not a state`);
    return `s${index}`;
  };
  const lines = ['stateDiagram-v2'];
  const classes: Record<string, string[]> = { choice: [], task: [], succeed: [], fail: [] };

  names.forEach((name) => lines.push(`  state "${label(name)}" as ${id(name)}`));
  lines.push(`  [*] --> ${id(definition.StartAt)}`);
  for (const name of names) {
    const state: AslState = definition.States[name]!;
    const from = id(name);
    switch (state.Type) {
      case 'Choice':
        classes.choice!.push(from);
        for (const rule of (state.Choices ?? []) as ChoiceRule[])
          lines.push(`  ${from} --> ${id(rule.Next!)}: ${label(describeRule(rule))}`);
        if (typeof state.Default === 'string') lines.push(`  ${from} --> ${id(state.Default)}: otherwise`);
        break;
      case 'Succeed':
      case 'Fail':
        classes[state.Type === 'Succeed' ? 'succeed' : 'fail']!.push(from);
        lines.push(`  ${from} --> [*]${state.Type === 'Fail' ? `: fails with ${label(String(state.Error))}` : ''}`);
        break;
      default: {
        if (state.Type === 'Task') classes.task!.push(from);
        const wait =
          state.Type === 'Wait'
            ? `wait ${state.SecondsPath ? shortPath(String(state.SecondsPath)) : `${String(state.Seconds)} s`}`
            : undefined;
        if (typeof state.Next === 'string')
          lines.push(`  ${from} --> ${id(state.Next)}${wait ? `: ${label(wait)}` : ''}`);
        if (state.End === true) lines.push(`  ${from} --> [*]`);
        for (const catcher of (state.Catch ?? []) as Array<{ ErrorEquals: string[]; Next: string }>) {
          lines.push(`  ${from} --> ${id(catcher.Next)}: on ${label(catcher.ErrorEquals.join(' or '))}`);
        }
      }
    }
  }
  lines.push(
    '  classDef choice fill:#fff4d6,stroke:#b88a00',
    '  classDef task fill:#e3f0ff,stroke:#2f6fb0',
    '  classDef succeed fill:#e2f6e2,stroke:#2e7d32',
    '  classDef fail fill:#fde4e4,stroke:#c62828',
  );
  for (const [name, members] of Object.entries(classes))
    if (members.length > 0) lines.push(`  class ${members.join(',')} ${name}`);
  return `${lines.join('\n')}\n`;
}

/** docs/state-machine.md: the diagram and how it was made. */
export function stateMachineDocument(definition: AslDefinition): string {
  return [
    '# The watch state machine',
    '',
    '<!-- Generated by `npm run diagram` from the synthesized stack (default context). Do not edit: test/tools/diagram.test.ts fails when it is stale. -->',
    '',
    'One execution follows one CloudFront change: check the status at once, then loop check, decide, wait; every end',
    'sends exactly one notification first. This picture is drawn from the definition the stack deploys',
    '(`tools/lib/synth.ts`), with the default configuration: the state names of the Pass states show its polling schedule.',
    '',
    '```mermaid',
    mermaidStateDiagram(definition).trimEnd(),
    '```',
    '',
    ...taskTable(definition),
    '',
  ].join('\n');
}
