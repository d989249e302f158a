import type { Socket } from 'node:net';
import type { RequestHandler, Response } from 'express';
import { GATEWAY, controlError, errorResponse, oauthError, rateLimited, type SimHttpError } from './errors';

export const ENDPOINTS = [
  'token',
  'accounts',
  'balances',
  'transactions',
  'transfer.fee',
  'transfer.request',
  'transfer.status',
  'transfer.result',
  'transfer.cancel',
  'deposit-transactions',
  'bulktransfer.fee',
  'bulktransfer.request',
  'bulktransfer.status',
  'bulktransfer.result',
  'bulktransfer.cancel',
  'va.issue',
  'va.list',
  'va.status-change',
  'va.close-request',
  'va.deposit-transactions',
] as const;
/** The API routes a fault can target. */
export type Endpoint = (typeof ENDPOINTS)[number];
export type FaultTarget = Endpoint | '*';

export const FAULT_KINDS = [
  'error500',
  'timeout',
  'reset',
  'invalid_grant',
  'rate_limit',
  'maintenance',
  'timeout_after_commit',
  'reset_after_commit',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  target: FaultTarget;
  kind: FaultKind;
  /** how many matching calls it affects, default 1 */
  count?: number;
}

export interface QueuedFault {
  target: FaultTarget;
  kind: FaultKind;
  remaining: number;
}

/** Faults wait in order; a call takes the first one aimed at its endpoint (or at '*'). */
export class FaultQueue {
  private queue: QueuedFault[] = [];

  add(spec: FaultSpec): void {
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw controlError(400, 'count must be a positive integer');
    if (spec.kind === 'invalid_grant' && spec.target !== 'token') {
      throw controlError(400, 'invalid_grant applies to the token endpoint only (target "token")');
    }
    this.queue.push({ target: spec.target, kind: spec.kind, remaining: count });
  }

  take(endpoint: Endpoint): FaultKind | undefined {
    const fault = this.queue.find((f) => f.target === endpoint || f.target === '*');
    if (!fault) return undefined;
    if (--fault.remaining === 0) this.queue = this.queue.filter((f) => f !== fault);
    return fault.kind;
  }

  list(): QueuedFault[] {
    return this.queue.map((f) => ({ ...f }));
  }

  clear(): void {
    this.queue = [];
  }
}

/** Sockets a 'timeout' fault is sitting on; close() must let them go so tests and shutdown do not hang. */
export class SocketHolds {
  private readonly held = new Map<Socket, NodeJS.Timeout>();

  hold(socket: Socket, ms: number): void {
    const release = () => {
      clearTimeout(timer);
      this.held.delete(socket);
    };
    const timer = setTimeout(() => {
      release();
      socket.destroy();
    }, ms);
    timer.unref();
    socket.once('close', release);
    this.held.set(socket, timer);
  }

  releaseAll(): void {
    for (const [socket, timer] of this.held) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.held.clear();
  }
}

/** The answer a fault gives instead of the real one; the token endpoint answers like an OAuth server. */
function faultError(endpoint: Endpoint, kind: 'error500' | 'invalid_grant' | 'rate_limit' | 'maintenance'): SimHttpError {
  switch (kind) {
    case 'invalid_grant':
      return oauthError('invalid_grant', 'injected fault: the grant is no longer valid');
    case 'rate_limit':
      return rateLimited();
    case 'maintenance':
      return errorResponse(503, GATEWAY.maintenance, 'ただいまメンテナンス中のため、ご利用いただけません。');
    case 'error500':
      return endpoint === 'token'
        ? oauthError('server_error', 'injected fault: internal server error', 500)
        : errorResponse(500, GATEWAY.internal, 'システムエラーが発生しました。');
  }
}

export interface FaultContext {
  faults: FaultQueue;
  holds: SocketHolds;
  hangMs(): number;
  log(entry: Record<string, unknown>): void;
}

/**
 * Applies the next queued fault for `endpoint`, if any. The *_after_commit kinds let the handler do its work
 * (a transfer IS booked) and then replace whatever it answers by a hang or a reset: the case the bank warns about,
 * where a timed-out update may still have happened.
 */
export function injectFaults(endpoint: Endpoint, ctx: FaultContext): RequestHandler {
  return (req, res, next) => {
    const kind = ctx.faults.take(endpoint);
    if (!kind) return next();
    ctx.log({ msg: 'fault injected', endpoint, kind });
    const drop = (mode: 'hang' | 'reset') => (mode === 'reset' ? req.socket.destroy() : ctx.holds.hold(req.socket, ctx.hangMs()));
    switch (kind) {
      case 'reset':
        return drop('reset');
      case 'timeout':
        return drop('hang');
      case 'reset_after_commit':
      case 'timeout_after_commit':
        res.json = ((() => {
          drop(kind === 'reset_after_commit' ? 'reset' : 'hang');
          return res;
        }) as Response['json']);
        return next();
      default:
        throw faultError(endpoint, kind);
    }
  };
}
