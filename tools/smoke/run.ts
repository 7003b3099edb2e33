/** `npm run smoke`: see tools/smoke/smoke.ts and docs/smoke.md, or run `npm run smoke -- --help`. */
import { runSmoke } from './smoke';

// The project supports Node 20 (package.json engines); the SDK's notice about its future releases would bury the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await runSmoke(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
