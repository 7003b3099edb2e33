/** `npm start`: see tools/cli/run.ts, or run `npm start -- --help`. */
import { run } from './cli/run';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
