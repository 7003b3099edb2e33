/** `npm run preflight`: see tools/preflight/preflight.ts, docs/preflight.md, or run `npm run preflight -- --help`. */
import { run } from './preflight';

// On a Node the SDK's next releases drop (20, still run by CI), its notice about them would bury the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
