/**
 * Mermaid stateDiagrams of a watch definition, drawn from the synthesized ASL itself so the pictures cannot drift
 * from what deploys: a small overview (kind choice, one box per kind of watch, hand-over) and one diagram per kind.
 * Choice rules, catches and retries become labels and tables.
 */
import { SUPPORTED_EVENT_NAMES } from '../../domain/cloudtrail';
import type { AslDefinition, AslState } from '../../statemachine/definition';
import { PATHS } from '../../statemachine/paths';
import { textOf } from './text';

interface ChoiceRule {
  readonly Variable?: string;
  readonly Next?: string;
  readonly And?: readonly ChoiceRule[];
  readonly Or?: readonly ChoiceRule[];
  readonly Not?: ChoiceRule;
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

/** The stack docs/state-machine.md draws: every call watched, so every kind of watch is in the definition. */
export const DIAGRAM_CONTEXT = { watchedEvents: SUPPORTED_EVENT_NAMES.join(','), tenantStatusCheck: 'lambda' } as const;

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
  if (rule.And) return rule.And.map(describeRule).join(' and ');
  if (rule.Or) return rule.Or.map(describeRule).join(' or ');
  if (rule.Not) {
    const inner = rule.Not;
    return inner.IsPresent === true ? `no ${shortPath(inner.Variable ?? '?')}` : `not (${describeRule(inner)})`;
  }
  const variable = shortPath(rule.Variable ?? '?');
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    if (key === 'IsPresent') return value === true ? `${variable} present` : `no ${variable}`;
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

/** A transition of the definition; `to` undefined is the end of the execution. */
interface Edge {
  readonly from: string;
  readonly to?: string;
  readonly label?: string;
}

function edgesOf(name: string, state: AslState): Edge[] {
  switch (state.Type) {
    case 'Choice':
      return [
        ...((state.Choices ?? []) as ChoiceRule[]).map((rule) => ({
          from: name,
          to: rule.Next!,
          label: describeRule(rule),
        })),
        ...(typeof state.Default === 'string' ? [{ from: name, to: state.Default, label: 'otherwise' }] : []),
      ];
    case 'Succeed':
      return [{ from: name }];
    case 'Fail':
      return [
        {
          from: name,
          label: `fails with ${state.ErrorPath === undefined ? String(state.Error) : `the error at ${shortPath(textOf(state.ErrorPath))}`}`,
        },
      ];
    default: {
      const wait =
        state.Type === 'Wait'
          ? `wait ${state.SecondsPath ? shortPath(textOf(state.SecondsPath)) : `${String(state.Seconds)} s`}`
          : undefined;
      return [
        ...(typeof state.Next === 'string' ? [{ from: name, to: state.Next, label: wait }] : []),
        ...(state.End === true ? [{ from: name }] : []),
        ...((state.Catch ?? []) as Array<{ ErrorEquals: string[]; Next: string }>).map((catcher) => ({
          from: name,
          to: catcher.Next,
          label: `on ${catcher.ErrorEquals.join(' or ')}`,
        })),
      ];
    }
  }
}

/** The states one kind of watch enters after the kind choice: `own` only it enters, `shared` other kinds enter too. */
export interface KindPart {
  readonly kind: string;
  readonly own: readonly string[];
  readonly shared: readonly string[];
}

export interface DefinitionParts {
  readonly kinds: readonly KindPart[];
  /** States no kind enters (the kind choice, the invalid input) and states several kinds enter, in definition order. */
  readonly common: readonly string[];
}

/** The kind a rule of the kind choice selects: its `$.watch.kind StringEquals`, alone or inside an And. */
function kindOf(rule: ChoiceRule): string | undefined {
  const test = [rule, ...(rule.And ?? [])].find(
    (candidate) => candidate.Variable === PATHS.kind && typeof candidate.StringEquals === 'string',
  );
  return test?.StringEquals as string | undefined;
}

function reachable(definition: AslDefinition, from: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...from];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = definition.States[name];
    if (!state) throw new Error(`a transition goes to "${name}", which is not a state`);
    for (const edge of edgesOf(name, state)) if (edge.to !== undefined) queue.push(edge.to);
  }
  return seen;
}

/** Splits the definition by the kind of watch the start state's rules select, following every transition. */
export function definitionParts(definition: AslDefinition): DefinitionParts {
  const start = definition.States[definition.StartAt];
  if (start?.Type !== 'Choice') throw new Error(`the start state "${definition.StartAt}" is not the kind choice`);
  const entries = new Map<string, string[]>();
  for (const rule of (start.Choices ?? []) as ChoiceRule[]) {
    const kind = kindOf(rule);
    if (kind !== undefined) entries.set(kind, [...(entries.get(kind) ?? []), rule.Next!]);
  }
  const names = Object.keys(definition.States);
  const reach = new Map([...entries].map(([kind, from]) => [kind, reachable(definition, from)]));
  const reachedBy = (name: string) => [...reach.values()].filter((states) => states.has(name)).length;
  const kinds = [...reach].map(([kind, states]) => ({
    kind,
    own: names.filter((name) => states.has(name) && reachedBy(name) === 1),
    shared: names.filter((name) => states.has(name) && reachedBy(name) > 1),
  }));
  return { kinds, common: names.filter((name) => reachedBy(name) !== 1) };
}

const CLASS_DEFS = [
  '  classDef choice fill:#fff4d6,stroke:#b88a00',
  '  classDef task fill:#e3f0ff,stroke:#2f6fb0',
  '  classDef succeed fill:#e2f6e2,stroke:#2e7d32',
  '  classDef fail fill:#fde4e4,stroke:#c62828',
  '  classDef kind fill:#f1e6fb,stroke:#6a3d9a',
];
const CLASS_OF: Record<string, string> = { Choice: 'choice', Task: 'task', Succeed: 'succeed', Fail: 'fail' };

/** A node of a diagram: a state of the definition, or a box that stands for one kind of watch. */
interface Node {
  readonly id: string;
  readonly text: string;
  readonly className?: string;
}

function render(
  nodes: readonly Node[],
  start: string,
  edges: ReadonlyArray<{ from: string; to: string; label?: string }>,
) {
  const lines = ['stateDiagram-v2'];
  for (const node of nodes) lines.push(`  state "${label(node.text)}" as ${node.id}`);
  lines.push(`  [*] --> ${start}`);
  for (const edge of edges) lines.push(`  ${edge.from} --> ${edge.to}${edge.label ? `: ${label(edge.label)}` : ''}`);
  lines.push(...CLASS_DEFS);
  const classes = new Map<string, string[]>();
  for (const node of nodes)
    if (node.className) classes.set(node.className, [...(classes.get(node.className) ?? []), node.id]);
  for (const [name, members] of classes) lines.push(`  class ${members.join(',')} ${name}`);
  return `${lines.join('\n')}\n`;
}

/** Mermaid ids: `s<index>` for a state, the same in every diagram of the definition; `k<index>` for a kind's box. */
function stateIds(definition: AslDefinition): (name: string) => string {
  const names = Object.keys(definition.States);
  return (name) => {
    const index = names.indexOf(name);
    if (index < 0) throw new Error(`a transition goes to "${name}", which is not a state`);
    return `s${index}`;
  };
}

function stateNode(definition: AslDefinition, id: (name: string) => string, name: string): Node {
  return { id: id(name), text: name, className: CLASS_OF[String(definition.States[name]!.Type)] };
}

/** One kind of watch: the kind choice, the kind's own states and the shared states it goes on to. */
export function kindStateDiagram(definition: AslDefinition, part: KindPart): string {
  const id = stateIds(definition);
  const drawn = new Set([definition.StartAt, ...part.own, ...part.shared]);
  const states = Object.keys(definition.States).filter((name) => drawn.has(name));
  const nodes = states.map((name) => stateNode(definition, id, name));
  // The kind choice's rules for the other kinds and for invalid input belong to the overview.
  const edges = states
    .flatMap((name) => edgesOf(name, definition.States[name]!))
    .filter((edge) => edge.to === undefined || drawn.has(edge.to))
    .map((edge) => ({ from: id(edge.from), to: edge.to === undefined ? '[*]' : id(edge.to), label: edge.label }));
  return render(nodes, id(definition.StartAt), edges);
}

/** The common states, with each kind of watch drawn as one box: the kind choice, the loops, the hand-over. */
export function overviewStateDiagram(definition: AslDefinition, parts: DefinitionParts = definitionParts(definition)) {
  const id = stateIds(definition);
  const boxOf = new Map<string, string>();
  const kindOfBox = new Map<string, string>();
  parts.kinds.forEach((part, index) => {
    kindOfBox.set(`k${index}`, part.kind);
    part.own.forEach((name) => boxOf.set(name, `k${index}`));
  });
  const nodes: Node[] = [
    ...parts.common.map((name) => stateNode(definition, id, name)),
    ...parts.kinds.map((part, index) => ({
      id: `k${index}`,
      text: `${part.kind} watch (${part.own.length} states)`,
      className: 'kind',
    })),
  ];
  // Transitions inside a kind disappear into its box; those that cross a box's border are merged per pair of nodes.
  const edges: Array<{ from: string; to: string; label?: string }> = [];
  const crossing = new Map<string, { from: string; to: string; labels: string[] }>();
  for (const edge of Object.keys(definition.States).flatMap((name) => edgesOf(name, definition.States[name]!))) {
    const fromBox = boxOf.get(edge.from);
    const toBox = edge.to === undefined ? undefined : boxOf.get(edge.to);
    const target = edge.to === undefined ? '[*]' : id(edge.to);
    if (fromBox === undefined && toBox === undefined) {
      edges.push({ from: id(edge.from), to: target, label: edge.label });
      continue;
    }
    if (fromBox !== undefined && fromBox === toBox) continue;
    const from = fromBox ?? id(edge.from);
    const to = toBox ?? target;
    // Into a box the kind is the condition that matters; out of a box to the end, which of its states ends the watch.
    const text = toBox !== undefined ? `watch.kind = '${kindOfBox.get(toBox)}'` : to === '[*]' ? edge.from : edge.label;
    const merged = crossing.get(`${from}>${to}`) ?? { from, to, labels: [] };
    if (text && !merged.labels.includes(text)) merged.labels.push(text);
    crossing.set(`${from}>${to}`, merged);
  }
  for (const { from, to, labels } of crossing.values())
    edges.push({ from, to, label: to === '[*]' ? `ends in ${labels.join(', ')}` : labels.join(' or ') });
  return render(nodes, id(definition.StartAt), edges);
}

/** One row per Task: what it calls and how it retries, which the diagrams leave out to stay readable. */
function taskTable(definition: AslDefinition, states: readonly string[]): string[] {
  const rows = states
    .filter((name) => definition.States[name]!.Type === 'Task')
    .map((name) => {
      const state = definition.States[name]!;
      return `| ${name} | \`${String(state.Resource)}\` | ${describeRetry((state.Retry ?? []) as Retrier[]) || 'none'} |`;
    });
  return rows.length === 0 ? [] : ['| Task | calls | retries |', '|---|---|---|', ...rows, ''];
}

function mermaidBlock(diagram: string): string[] {
  return ['```mermaid', diagram.trimEnd(), '```', ''];
}

/** docs/state-machine.md: the overview, one diagram per kind of watch, and how they were made. */
export function stateMachineDocument(definition: AslDefinition): string {
  const parts = definitionParts(definition);
  const total = Object.keys(definition.States).length;
  const kindList = parts.kinds.map((part) => `[${part.kind}](#kind-${part.kind})`).join(', ');
  return [
    '# The watch state machine',
    '',
    '<!-- Generated by `npm run diagram` from the synthesized stack. Do not edit: test/tools/diagram.test.ts fails when it is stale. -->',
    '',
    'One execution follows one CloudFront change (a [watch](glossary.md#watch)): it checks the status at once, then',
    'loops check, decide, wait, and every end sends exactly one notification first. These pictures are drawn from the',
    'definition the stack deploys (`tools/lib/synth.ts`), synthesized with every call in `watchedEvents` (the tenant calls',
    'included, which the default stack leaves out), `tenantStatusCheck=lambda` and the default schedule, which the names',
    'of the `Next … check in …` Pass states show. A stack holds only the kinds of watch its watched calls start: the',
    'default stack has the `distribution` and `invalidation` parts only. With `tenantStatusCheck=lambda` the tenant status',
    'Tasks invoke the [status reader](glossary.md#status-reader) Lambda; with `sdk` they call CloudFront directly.',
    '',
    `The definition has ${total} states, too many for one picture: the overview draws each kind of watch as one box, and`,
    'each kind has a diagram of its own:',
    `${kindList}.`,
    'Colours: yellow Choice, blue Task, green Succeed, red Fail, purple a kind of watch. How to follow an execution',
    'through these states: [debugging.md](debugging.md).',
    '',
    '## Overview',
    '',
    'The kind choice sends a new watch to its first status check and a [continued part](glossary.md#part-continuation)',
    'to its decision on the status it carries. Every kind hands a long watch over to a new execution, and ends a watch',
    'that ran out of checks or could not read the status in the same two Fail states.',
    '',
    ...mermaidBlock(overviewStateDiagram(definition, parts)),
    ...taskTable(definition, parts.common),
    ...parts.kinds.flatMap((part) => [
      `## Kind \`${part.kind}\``,
      '',
      `${part.own.length} states of its own, entered from the kind choice; the shared states it goes on to are drawn too.`,
      '',
      ...mermaidBlock(kindStateDiagram(definition, part)),
      ...taskTable(definition, part.own),
    ]),
  ]
    .join('\n')
    .replace(/\n+$/, '\n');
}
