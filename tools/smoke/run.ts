/** `npm run smoke`: see tools/smoke/smoke.ts and docs/smoke.md, or run `npm run smoke -- --help`. */
import { runSmoke } from './smoke';

// On a Node the SDK's next releases drop (20, still run by CI), its notice about them would bury the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await runSmoke(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
