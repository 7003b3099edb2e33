/**
 * Finds Step Functions Local for the suite: SFN_LOCAL_ENDPOINT, else a container started from docker-compose.yml
 * (stopped again afterwards), else a skip reason that every test reports.
 */
import type { TestProject } from 'vitest/node';
import {
  dockerCompose,
  localSfnClient,
  resolveTarget,
  waitUntilAnswering,
  type SfnLocalTarget,
} from '../../../tools/sfn-local/runner';

declare module 'vitest' {
  export interface ProvidedContext {
    sfnLocal: SfnLocalTarget;
  }
}

/** Step Functions Local is a JVM: give it up to a minute to start answering. */
const READY = { attempts: 60, intervalMs: 1_000 };

export default async function setup(project: TestProject): Promise<() => void> {
  const docker = dockerCompose();
  const target = resolveTarget(process.env, docker);
  const stop = () => {
    if ('startedByDocker' in target && target.startedByDocker) docker.down();
  };
  if ('skipReason' in target) {
    console.warn(`Step Functions Local suite skipped: ${target.skipReason}`);
  } else {
    try {
      await waitUntilAnswering(localSfnClient(target.endpoint), READY);
    } catch (error) {
      stop();
      throw error;
    }
  }
  project.provide('sfnLocal', target);
  return stop;
}
