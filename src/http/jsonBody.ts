import express, { type RequestHandler } from 'express';
import { problems } from './problem';

const parseJson = express.json({ limit: '64kb', strict: true, type: () => true });
// 9,999 bulk items of ~250 bytes each: the one place a large body is expected
const parseLargeJson = express.json({ limit: '4mb', strict: true, type: () => true });
const LARGE_BODY_PATH = /^\/companies\/[^/]+\/bulk-transfers(\/fee-quote)?\/?$/;

/** Bodies on the API are JSON only: another declared type is a 415, malformed JSON a 400 (error handler). */
export const jsonBody: RequestHandler = (req, res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (!hasBody) return next();
  if (!req.is('application/json')) throw problems.unsupportedMediaType();
  (req.method === 'POST' && LARGE_BODY_PATH.test(req.path) ? parseLargeJson : parseJson)(req, res, next);
};
