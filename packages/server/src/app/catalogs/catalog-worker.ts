import { parentPort } from 'node:worker_threads';
import { loadAwsActionList, parseCatalog } from '@trustgate/core';
import type { WorkerAnswer, WorkerRequest } from './parse-in-worker.ts';

/**
 * The catalog worker thread's program: loads AWS's action list, says it is ready, then answers each
 * {@link WorkerRequest} with core's pure {@link parseCatalog}, one at a time, so that parsing and validating a
 * tenant's catalog never runs on the service's event loop. A throw (a bug) is answered as a failure.
 */
const port = parentPort;
if (port === null) throw new Error('catalog-worker.ts runs as a worker thread (see parse-in-worker.ts)');
const actionList = await loadAwsActionList();
port.on('message', (request: WorkerRequest) => {
  let answer: WorkerAnswer;
  try {
    answer = { id: request.id, result: parseCatalog(request.source, { fileName: request.fileName, actionList }) };
  } catch (error) {
    answer = { id: request.id, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(answer);
});
port.postMessage({ ready: true } satisfies WorkerAnswer);
