/** `npm run diagram`: regenerates docs/state-machine.md from the synthesized definition. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DIAGRAM_CONTEXT, stateMachineDocument } from './lib/mermaid';
import { synthNotifier, watchDefinition } from './lib/synth';

const DIAGRAM_FILE = fileURLToPath(new URL('../docs/state-machine.md', import.meta.url));

writeFileSync(DIAGRAM_FILE, stateMachineDocument(watchDefinition(synthNotifier(DIAGRAM_CONTEXT).template)));
process.stdout.write(`wrote ${DIAGRAM_FILE}\n`);
