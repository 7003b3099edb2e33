/**
 * A Step Functions endpoint on 127.0.0.1 that answers StartExecution and records it, so the bundled dispatcher's own
 * SFNClient (AWS JSON 1.0 over HTTP) runs unchanged and still never leaves the machine.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { executionArn } from '../lib/local-engine';

export interface RecordedStart {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
}

export interface FakeStepFunctions {
  readonly endpoint: string;
  readonly starts: readonly RecordedStart[];
  close(): Promise<void>;
}

const JSON_1_0 = 'application/x-amz-json-1.0';

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': JSON_1_0 });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeStepFunctions(): Promise<FakeStepFunctions> {
  const starts: RecordedStart[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target !== 'AWSStepFunctions.StartExecution') {
        reply(response, 400, {
          __type: 'UnknownOperationException',
          message: `the local fake answers StartExecution only, not ${target}`,
        });
        return;
      }
      const params = JSON.parse(body) as { stateMachineArn: string; name: string; input: string };
      const earlier = starts.find((start) => start.name === params.name);
      // Same rule as the service: a name is taken unless the input is the same (an idempotent retry).
      if (earlier && earlier.input !== params.input) {
        reply(response, 400, {
          __type: 'ExecutionAlreadyExists',
          message: `Execution Already Exists: '${params.name}'`,
        });
        return;
      }
      if (!earlier) starts.push({ stateMachineArn: params.stateMachineArn, name: params.name, input: params.input });
      reply(response, 200, {
        executionArn: executionArn(params.stateMachineArn, params.name),
        startDate: Date.now() / 1000,
      });
    })().catch((error: Error) => reply(response, 500, { __type: 'InternalFailure', message: error.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    starts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
