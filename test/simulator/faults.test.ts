import request from 'supertest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { API, AUTH, BASIC_CLIENT, CORPORATE_ACCOUNT, POST_CLIENT, TestClock, bulkBody, bulkItems, connect, transferBody } from './helpers';

const HANG_MS = 300;

let running: RunningSimulator;
let token: string;
let refreshToken: string;

beforeEach(async () => {
  running = await startSimulator({ clock: new TestClock(), clients: [POST_CLIENT, BASIC_CLIENT], hangMs: HANG_MS });
  const tokens = await connect(running.sim.app);
  token = tokens.access_token;
  refreshToken = tokens.refresh_token as string;
});
afterEach(() => running.stop());

const control = () => request(running.sim.app);

function inject(target: string, kind: string, count?: number) {
  return control().post('/_sim/faults').send({ target, kind, count }).expect(201);
}

/** A real HTTP call over 127.0.0.1, bounded so that a fault that holds the socket cannot hang the test. */
function call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(`${running.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'x-access-token': token, 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(5000),
  });
}

const requestTransfer = (headers: Record<string, string> = {}) => call(`${API}/transfer/request`, { method: 'POST', body: transferBody(), headers });

function refresh() {
  return request(running.sim.app)
    .post(`${AUTH}/token`)
    .type('form')
    .send({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: POST_CLIENT.clientId, client_secret: POST_CLIENT.clientSecret });
}

describe('answering faults', () => {
  test('error500 answers 500 before any state change, then the endpoint works again', async () => {
    await inject('transfer.request', 'error500');
    const failed = await requestTransfer();
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ errorCode: 'WG_ERR_500', errorMessage: 'システムエラーが発生しました。' });
    expect(running.sim.state.transfers()).toHaveLength(0);
    expect((await requestTransfer()).status).toBe(201);
  });

  test('rate_limit is 429 WG_ERR_154 and maintenance is 503 WG_ERR_300', async () => {
    await inject('accounts', 'rate_limit');
    await inject('accounts', 'maintenance');
    const limited = await call(`${API}/accounts`);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ errorCode: 'WG_ERR_154', errorMessage: 'APIの利用上限を超過しています。' });
    const maintenance = await call(`${API}/accounts`);
    expect(maintenance.status).toBe(503);
    expect(await maintenance.json()).toMatchObject({ errorCode: 'WG_ERR_300' });
  });

  test('count applies a fault to that many calls; "*" matches any endpoint', async () => {
    await inject('balances', 'error500', 2);
    expect((await call(`${API}/accounts/balances`)).status).toBe(500);
    expect((await call(`${API}/accounts/balances`)).status).toBe(500);
    expect((await call(`${API}/accounts/balances`)).status).toBe(200);
    await inject('*', 'maintenance');
    expect((await call(`${API}/transfer/status?accountId=101011234567&queryKeyClass=2`)).status).toBe(503);
    expect((await call(`${API}/accounts`)).status).toBe(200);
  });

  test('on the token endpoint: invalid_grant and error500 answer like an OAuth server, and attempts are counted', async () => {
    await inject('token', 'invalid_grant');
    await inject('token', 'error500');
    const denied = await refresh();
    expect(denied.status).toBe(400);
    expect(denied.body.error).toBe('invalid_grant');
    const broken = await refresh();
    expect(broken.status).toBe(500);
    expect(broken.body.error).toBe('server_error');
    await refresh().expect(200);
    expect(running.sim.state.stats().tokenRequests.refresh_token).toBe(3);
  });

  test('invalid_grant can only target the token endpoint; unknown kinds and targets are refused', async () => {
    expect((await control().post('/_sim/faults').send({ target: 'accounts', kind: 'invalid_grant' })).status).toBe(400);
    expect((await control().post('/_sim/faults').send({ target: 'nowhere', kind: 'error500' })).status).toBe(400);
    expect((await control().post('/_sim/faults').send({ target: 'accounts', kind: 'explode' })).status).toBe(400);
    expect((await control().post('/_sim/faults').send({ target: 'accounts', kind: 'reset', count: 0 })).status).toBe(400);
  });

  test('GET lists the queued faults and DELETE clears them', async () => {
    await inject('transfer.cancel', 'timeout', 3);
    expect((await control().get('/_sim/faults')).body.faults).toEqual([{ target: 'transfer.cancel', kind: 'timeout', remaining: 3 }]);
    await control().delete('/_sim/faults').expect(204);
    expect((await control().get('/_sim/faults')).body.faults).toEqual([]);
  });
});

describe('socket faults', () => {
  test('reset destroys the socket at once and books nothing', async () => {
    await inject('transfer.request', 'reset');
    await expect(requestTransfer()).rejects.toThrow();
    expect(running.sim.state.transfers()).toHaveLength(0);
  });

  test('timeout holds the socket for hangMs, then destroys it, and books nothing', async () => {
    await inject('transfer.request', 'timeout');
    const started = Date.now();
    await expect(requestTransfer()).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(HANG_MS - 50);
    expect(running.sim.state.transfers()).toHaveLength(0);
  });

  test('timeout_after_commit books the transfer, never answers, and a retry with the same Idempotency-Key replays it', async () => {
    await inject('transfer.request', 'timeout_after_commit');
    const headers = { 'Idempotency-Key': 'payout-42' };
    await expect(requestTransfer(headers)).rejects.toThrow();
    const [booked] = running.sim.state.transfers();
    expect(booked).toMatchObject({ idempotencyKey: 'payout-42', status: '12' });

    const retry = await requestTransfer(headers);
    expect(retry.status).toBe(201);
    expect(await retry.json()).toMatchObject({ applyNo: booked.applyNo });
    expect(running.sim.state.stats().transferRequests).toBe(1);
  });

  test('reset_after_commit books the transfer and then resets the connection', async () => {
    await inject('transfer.request', 'reset_after_commit');
    await expect(requestTransfer()).rejects.toThrow();
    expect(running.sim.state.transfers()).toHaveLength(1);
  });

  test('close() lets go of a socket held by a long timeout', async () => {
    running.sim.state.configure({ hangMs: 60_000 });
    await inject('accounts', 'timeout');
    const pending = call(`${API}/accounts`);
    for (let i = 0; i < 100 && !running.sim.state.stats().apiCalls.accounts; i++) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    running.sim.close();
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('bulk transfers, deposits and virtual accounts take the same faults', () => {
  const requestBulk = (headers: Record<string, string> = {}) => call(`${API}/bulktransfer/request`, { method: 'POST', body: bulkBody(bulkItems(3)), headers });

  test('timeout_after_commit on /bulktransfer/request: the batch exists once, and the retry with the same key replays it', async () => {
    await inject('bulktransfer.request', 'timeout_after_commit');
    const headers = { 'Idempotency-Key': 'batch-7' };
    await expect(requestBulk(headers)).rejects.toThrow();
    const [booked] = running.sim.state.bulkTransfers();
    expect(booked).toMatchObject({ idempotencyKey: 'batch-7', status: '12', amount: 3000 });

    const retry = await requestBulk(headers);
    expect(retry.status).toBe(201);
    expect(await retry.json()).toMatchObject({ applyNo: booked.applyNo });
    expect(running.sim.state.bulkTransfers()).toHaveLength(1);
    const status = await call(`${API}/bulktransfer/status?accountId=${CORPORATE_ACCOUNT}&queryKeyClass=2`);
    expect(await status.json()).toMatchObject({ count: '1' });
  });

  test.each([
    ['error500', 500, 'WG_ERR_500'],
    ['rate_limit', 429, 'WG_ERR_154'],
    ['maintenance', 503, 'WG_ERR_300'],
  ])('%s on /bulktransfer/request answers %s %s and books nothing', async (kind, status, errorCode) => {
    await inject('bulktransfer.request', kind);
    const res = await requestBulk();
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ errorCode });
    expect(running.sim.state.bulkTransfers()).toHaveLength(0);
    expect((await requestBulk()).status).toBe(201);
  });

  test.each([
    ['bulktransfer.fee', () => call(`${API}/bulktransfer/transferfee`, { method: 'POST', body: bulkBody(bulkItems(1)) })],
    ['bulktransfer.status', () => call(`${API}/bulktransfer/status?accountId=${CORPORATE_ACCOUNT}&queryKeyClass=2`)],
    ['bulktransfer.result', () => call(`${API}/bulktransfer/request-result?accountId=${CORPORATE_ACCOUNT}&applyNo=2026112400000001`)],
    ['bulktransfer.cancel', () => call(`${API}/bulktransfer/cancel`, { method: 'POST', body: { accountId: CORPORATE_ACCOUNT, cancelTargetKeyClass: '4', applyNo: '2026112400000001' } })],
    ['deposit-transactions', () => call(`${API}/accounts/deposit-transactions?accountId=${CORPORATE_ACCOUNT}`)],
    ['va.issue', () => call(`${API}/va/issue`, { method: 'POST', body: { vaTypeCode: '2', issueRequestCount: '1', raId: CORPORATE_ACCOUNT } })],
    ['va.list', () => call(`${API}/va/list`, { method: 'POST', body: {} })],
    ['va.status-change', () => call(`${API}/va/status-change`, { method: 'POST', body: { vaStatusChangeCode: '1', vaIdList: [{ vaId: '5021000001' }] } })],
    ['va.close-request', () => call(`${API}/va/close-request`, { method: 'POST', body: {} })],
    ['va.deposit-transactions', () => call(`${API}/va/deposit-transactions?raId=${CORPORATE_ACCOUNT}`)],
  ])('%s: 429 then 503, each counted', async (target, send) => {
    await inject(target, 'rate_limit');
    await inject(target, 'maintenance');
    expect((await send()).status).toBe(429);
    expect((await send()).status).toBe(503);
    expect(running.sim.state.stats().apiCalls[target]).toBe(2);
  });
});
