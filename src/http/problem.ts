import type { RequestHandler, Response } from 'express';
import type { FieldError } from './problemSchema';

/** one field a request was refused for: the `FieldError` schema of the problem contract (problemSchema.ts) */
export type { FieldError };

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
      // extension members first: RFC 9457's own members (status above all) can never be overridden by them
      ...(problem.extra ?? {}),
      type: `https://gmo-bank-integrator/problems/${problem.type}`,
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      ...(problem.errors ? { errors: problem.errors } : {}),
      ...(requestId ? { requestId } : {}),
    });
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(problems.notFound(`No route for ${req.method} ${req.path}.`));
};
