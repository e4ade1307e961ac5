import { parentPort } from 'node:worker_threads';
import { compilePolicies, isTrustgateError, loadAwsActionList, parseCatalog } from '@trustgate/core';
import type { WorkerAnswer, WorkerRequest } from './parse-in-worker.ts';

/**
 * The catalog worker thread's program: loads AWS's action list, says it is ready, then answers each
 * {@link WorkerRequest} with core's pure {@link parseCatalog} or {@link compilePolicies}, one at a time, so that
 * parsing a tenant's catalog and compiling a selection never run on the service's event loop. The compiler's
 * TrustgateError is answered as a refusal, any other throw (a bug) as a failure.
 */
const port = parentPort;
if (port === null) throw new Error('catalog-worker.ts runs as a worker thread (see parse-in-worker.ts)');
const actionList = await loadAwsActionList();
port.on('message', (request: WorkerRequest) => {
  let answer: WorkerAnswer;
  try {
    answer =
      request.kind === 'parse'
        ? { id: request.id, result: parseCatalog(request.source, { fileName: request.fileName, actionList }) }
        : { id: request.id, compiled: compilePolicies(request.options, actionList) };
  } catch (error) {
    answer = isTrustgateError(error)
      ? {
          id: request.id,
          refusal: {
            code: error.code,
            message: error.message,
            ...(error.field === undefined ? {} : { field: error.field }),
            findings: error.findings,
            details: error.details,
          },
        }
      : { id: request.id, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(answer);
});
port.postMessage({ ready: true } satisfies WorkerAnswer);
