import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { GATEWAY, SimHttpError, errorResponse, fromBodyParserError } from './errors';
import { injectFaults, type Endpoint } from './faults';
import type { SimulatorState } from './state';

/** Counts the call, then lets a queued fault take over: the first handlers of every fault-capable route. */
export function endpoint(state: SimulatorState, name: Endpoint): RequestHandler[] {
  const count: RequestHandler = (_req, _res, next) => {
    state.counters.call(name);
    next();
  };
  return [count, injectFaults(name, state)];
}

/** The spec's consumes list is application/json;charset=UTF-8; the charset is optional (errata 7). */
const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) {
    throw errorResponse(415, GATEWAY.unsupportedMediaType, 'Content-Typeにはapplication/jsonを指定してください。');
  }
  next();
};

/** An empty body reads as {} so that validation reports the missing fields one by one. */
const emptyAsObject: RequestHandler = (req, _res, next) => {
  req.body ??= {};
  next();
};

/** A JSON body of at most `limit` (over it: 413). */
export function jsonBodyUpTo(limit: string): RequestHandler[] {
  return [requireJson, express.json({ limit }), emptyAsObject];
}

export const jsonBody = jsonBodyUpTo('1mb');

export function requestLogger(state: SimulatorState): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    // Only the path: query strings and bodies may carry codes or tokens.
    res.on('close', () =>
      state.log({
        msg: 'request',
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.headersSent ? res.statusCode : 'no response',
        ms: Date.now() - started,
      }),
    );
    next();
  };
}

export function errorHandler(state: SimulatorState): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    let error = err instanceof SimHttpError ? err : fromBodyParserError(err);
    if (!error) {
      state.log({ msg: 'unexpected error', error: err instanceof Error ? err.message : String(err) });
      error = errorResponse(500, GATEWAY.internal, 'システムエラーが発生しました。');
    }
    if (res.headersSent) return;
    res.status(error.status).set(error.headers).json(error.body);
  };
}
