/**
 * A loopback stand-in for Step Functions Local: a node:http server on 127.0.0.1 that speaks the awsJson1_0
 * protocol of the SDK. Each test scripts the answers; the fake records every request it got.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  /** The API action, e.g. "StartExecution". */
  readonly action: string;
  readonly body: Record<string, unknown>;
}

export type FakeAnswer =
  { readonly body: Record<string, unknown> } | { readonly error: string; readonly message: string };

export type FakeHandler = (request: FakeRequest, requestsSoFar: readonly FakeRequest[]) => FakeAnswer;

export interface FakeStepFunctions {
  readonly endpoint: string;
  readonly requests: FakeRequest[];
  calls(action: string): FakeRequest[];
  close(): Promise<void>;
}

export async function startFakeStepFunctions(handle: FakeHandler): Promise<FakeStepFunctions> {
  const requests: FakeRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    let raw = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk: string) => (raw += chunk));
    incoming.on('end', () => {
      const target = String(incoming.headers['x-amz-target'] ?? '');
      const request: FakeRequest = {
        action: target.replace(/^AWSStepFunctions\./, ''),
        body: raw ? JSON.parse(raw) : {},
      };
      const answer = handle(request, requests);
      requests.push(request);
      const failed = 'error' in answer;
      outgoing.writeHead(failed ? 400 : 200, { 'content-type': 'application/x-amz-json-1.0' });
      outgoing.end(JSON.stringify(failed ? { __type: answer.error, message: answer.message } : answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    calls: (action) => requests.filter((request) => request.action === action),
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
