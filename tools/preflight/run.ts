/** `npm run preflight`: see tools/preflight/preflight.ts, docs/preflight.md, or run `npm run preflight -- --help`. */
import { run } from './preflight';

// The project supports Node 20 (package.json engines); the SDK's notice about its future releases would bury the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
