import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../log';
import { problemFor } from './errorTable';
import { Problem, sendProblem } from './problem';

/** Maps everything thrown in a route to problem+json (one table: errorTable.ts); unknown errors never leak their message. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (res.headersSent) return;
    const problem = problemFor(err);
    if (problem) {
      if (problem.status >= 500) log.warn('request answered with an operational problem', { problem: problem.type, err });
      return sendProblem(res, problem);
    }
    log.error('unhandled error', { err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
    sendProblem(res, new Problem(500, 'internal-error', 'Internal error', 'An unexpected error occurred; it has been logged.'));
  };
}
