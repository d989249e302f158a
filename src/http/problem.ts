import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../log';

export interface FieldError {
  field: string;
  reason: string;
}

/** An RFC 9457 problem the API answers with; `type` is a stable slug a client can switch on. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? title);
  }

  /** seconds a client should wait before trying again (sent as Retry-After) */
  retryAfterSeconds?: number;

  retryAfter(seconds: number): this {
    this.retryAfterSeconds = seconds;
    return this;
  }
}

export const problems = {
  validation: (errors: FieldError[], detail = 'The request has invalid fields.') =>
    new Problem(400, 'validation-error', 'Invalid request', detail, errors),
  unauthorized: (detail = 'A valid API key is required: Authorization: Bearer <key>.') =>
    new Problem(401, 'unauthorized', 'Unauthorized', detail),
  notFound: (detail = 'Not found.') => new Problem(404, 'not-found', 'Not found', detail),
  conflict: (type: string, detail: string, extra?: Record<string, unknown>) => new Problem(409, type, 'Conflict', detail, undefined, extra),
  unprocessable: (type: string, detail: string, errors?: FieldError[]) => new Problem(422, type, 'Unprocessable request', detail, errors),
  unsupportedMediaType: () =>
    new Problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json.'),
};

export function sendProblem(res: Response, problem: Problem): void {
  const requestId = res.locals.requestId as string | undefined;
  if (problem.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(problem.retryAfterSeconds));
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: `https://gmo-bank-integrator/problems/${problem.type}`,
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      ...(problem.errors ? { errors: problem.errors } : {}),
      ...(problem.extra ?? {}),
      ...(requestId ? { requestId } : {}),
    });
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(problems.notFound(`No route for ${req.method} ${req.path}.`));
};

/** Maps everything thrown in a route to problem+json; unknown errors never leak their message. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof Problem) return sendProblem(res, err);
    // body-parser errors carry a status and a type
    const e = err as { status?: number; type?: string };
    if (e.type === 'entity.parse.failed') {
      return sendProblem(res, new Problem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.'));
    }
    if (e.type === 'entity.too.large') {
      return sendProblem(res, new Problem(413, 'payload-too-large', 'Payload too large', 'The request body is too large.'));
    }
    log.error('unhandled error', { err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
    sendProblem(res, new Problem(500, 'internal-error', 'Internal error', 'An unexpected error occurred; it has been logged.'));
  };
}
