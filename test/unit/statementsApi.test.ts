import { BankError } from '../../src/bank/errors';
import type { BankHttpClient } from '../../src/bank/httpClient';
import { StatementsApi } from '../../src/bank/statementsApi';

/** The bank answers `body`; every request is kept. */
function bankAnswering(body: unknown) {
  const sent: Array<{ path: string; query?: Record<string, unknown> }> = [];
  const http = { send: async (req: { path: string; query?: Record<string, unknown> }) => (sent.push(req), { status: 200, body }) } as unknown as BankHttpClient;
  return { api: new StatementsApi(http), sent };
}

const base = { accountId: '101011234567', currencyCode: 'JPY', currencyName: '日本円', dateFrom: '2026-11-24', dateTo: '2026-11-24', baseDate: '2026-11-24', baseTime: '10:00:00+09:00', count: '1' };
const row = { transactionDate: '2026-11-24', valueDate: '2026-11-24', transactionType: '2', amount: '12000', remarks: '振込 ﾔﾏﾀﾞ ﾀﾛｳ', balance: '-500', itemKey: '20261124100000000001' };

describe('the statements adapter (GMO /accounts/transactions, /accounts/deposit-transactions)', () => {
  test('always sends both dates and the key; amounts become integers (a minus allowed), absent fields stay absent', async () => {
    const { api, sent } = bankAnswering({ ...base, hasNext: false, transactions: [row, { ...row, remarks: undefined, itemKey: undefined }] });
    const page = await api.transactions('token', '101011234567', '2026-11-24', '2026-11-24', '20261124100000000001');
    expect(sent[0]).toMatchObject({ path: '/accounts/transactions', query: { accountId: '101011234567', dateFrom: '2026-11-24', dateTo: '2026-11-24', nextItemKey: '20261124100000000001' } });
    expect(page).toEqual({
      rows: [
        { ...row, amount: 12_000, balance: -500 },
        { ...row, amount: 12_000, balance: -500, remarks: undefined, itemKey: undefined },
      ],
      nextItemKey: null,
      asOf: '2026-11-24T01:00:00.000Z',
    });
  });

  test('hasNext as a boolean or as sunabar’s string "true"; no list is an empty page', async () => {
    for (const hasNext of [true, 'true']) {
      const { api } = bankAnswering({ ...base, hasNext, nextItemKey: '26815' });
      expect(await api.transactions('token', '101011234567', '2026-11-24', '2026-11-24')).toMatchObject({ rows: [], nextItemKey: '26815' });
    }
    const { api } = bankAnswering({ ...base, hasNext: 'false' });
    expect((await api.transactions('token', '101011234567', '2026-11-24', '2026-11-24')).nextItemKey).toBeNull();
  });

  test('deposit rows keep who paid', async () => {
    const arrival = { transactionDate: '2026-11-24', valueDate: '2026-11-24', transactionType: '1', amount: '50000', applicantName: 'ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ', paymentBankName: 'ｱｵｿﾞﾗｷﾞﾝｺｳ', paymentBranchName: 'ﾎﾝﾃﾝ', ediInfo: 'ｾｲｷﾕｳ123', itemKey: '1' };
    const { api, sent } = bankAnswering({ ...base, hasNext: false, paymentArrivals: [arrival] });
    const page = await api.depositTransactions('token', '101011234567', '2026-11-01', '2026-11-24');
    expect(sent[0]).toMatchObject({ path: '/accounts/deposit-transactions', query: { dateFrom: '2026-11-01', dateTo: '2026-11-24' } });
    expect(page.rows).toEqual([{ ...arrival, amount: 50_000 }]);
  });

  test.each([
    ['an amount with a comma', { ...base, hasNext: false, transactions: [{ ...row, amount: '12,000' }] }],
    ['an unknown transaction type', { ...base, hasNext: false, transactions: [{ ...row, transactionType: '3' }] }],
    ['no hasNext', { ...base, transactions: [] }],
    ['hasNext without a nextItemKey (the rest could not be asked for)', { ...base, hasNext: true, transactions: [] }],
  ])('%s is a protocol error, never a page cut short', async (_name, body) => {
    const { api } = bankAnswering(body);
    await expect(api.transactions('token', '101011234567', '2026-11-24', '2026-11-24')).rejects.toMatchObject({ constructor: BankError, kind: 'protocol' });
  });
});
