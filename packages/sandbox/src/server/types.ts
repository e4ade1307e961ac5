import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request handler of the sandbox's HTTP server. */
export type ServerResponseHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
