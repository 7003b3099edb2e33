/** `npm run docs:config`: regenerates docs/configuration.md from CONFIG_SPEC in infra/config.ts. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configurationReference } from './lib/config-reference';

const REFERENCE_FILE = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

writeFileSync(REFERENCE_FILE, configurationReference());
process.stdout.write(`wrote ${REFERENCE_FILE}\n`);
