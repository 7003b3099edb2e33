/** `npm start`: see tools/cli/run.ts, or run `npm start -- --help`. */
import { run } from './cli/run';

// The project supports Node 20 (package.json engines); the SDK's notice about its future releases would bury the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
