/** What the dispatcher's tests share: the fixtures' event ids, Step Functions' answers, and the starts it recorded. */
import {
  ExecutionAlreadyExists,
  type SFNClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { WatchExecutionInput } from '../../domain/watch-execution';

/** One minute after the fixtures' changes. */
export const NOW = new Date('2026-11-28T14:00:00Z');

export const EVENT_IDS = {
  'create-distribution.json': '3f1c6a52-8e0b-4d1e-9a53-2f7c1b9e4d01',
  'update-distribution.json': 'c4d2e1f0-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
  'create-invalidation.json': '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
} as const;

export function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: {} });
}

export function alreadyExists(): ExecutionAlreadyExists {
  return new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
}

type SfnMock = AwsStub<ServiceInputTypes, ServiceOutputTypes, SFNClientResolvedConfig>;

export function startedInputs(sfnMock: SfnMock): Array<StartExecutionCommandInput> {
  return sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
}

export function executionInput(call: StartExecutionCommandInput): WatchExecutionInput {
  return JSON.parse(call.input!) as WatchExecutionInput;
}
