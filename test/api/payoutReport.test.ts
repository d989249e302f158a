import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { jstDate } from '../../src/bank/jst';
import { CSV_COLUMNS, STATUS_LABELS, TOTAL_ROW_LABEL } from '../../src/reports/csv';
import type { PayoutReport, PayoutReportLine } from '../../src/reports/contract';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const seller = (name: string, accountNumber: string) => ({ bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber, name });
const FORMULA = '=HYPERLINK("https://evil.example")';

/** The raw bytes of an answer (supertest would otherwise decode text and drop the BOM). */
const raw = (res: unknown, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

describe.each(DATABASES)('the payout report on %s', (kind) => {
  let h: Harness;
  let key: string;
  let today: string;
  const ids: Record<string, string> = {};

  const get = (path: string, apiKey = key, company = 'SHOP') => request(h.app).get(`/v1/companies/${company}${path}`).set(...bearer(apiKey));
  const report = (query: string, apiKey = key) => get(`/reports/payouts?${query}`, apiKey);
  const pay = (idem: string, body: Record<string, unknown>) => request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', idem).send(body);

  beforeAll(async () => {
    h = await startHarness(kind);
    ({ key } = await connectCompany(h, 'SHOP'));
    today = jstDate(h.clock.now());
    ids.yamada = (await pay('yamada', { amount: 12_000, beneficiary: seller('ヤマダ タロウ', '1234567'), reference: 'BUY-1' }).expect(201)).body.id;
    h.clock.advanceSeconds(1);
    ids.suzuki = (await pay('suzuki', { amount: 3_000, beneficiary: seller('スズキ イチロー', '2345678'), reference: FORMULA }).expect(201)).body.id;
    h.clock.advanceSeconds(1);
    const tanaka = (await pay('tanaka', { amount: 8_000, beneficiary: seller('タナカ ジロウ', '3456789') }).expect(201)).body;
    ids.tanaka = tanaka.id;
    h.clock.advanceSeconds(1);
    // more than the second account holds: the bank refuses it, and it is stored failed
    ids.refused = (await pay('refused', { accountId: '101027654321', amount: 4_000_000, beneficiary: seller('ヤマダ タロウ', '1234567') }).expect(422)).body.transfer.id;
    // everything settles and is followed; then the bank returns タナカ's money (資金返却)
    h.clock.advanceSeconds(120);
    await h.services.poller.runOnce();
    h.sim.state.forceTransferStatus(tanaka.applyNo, '22');
    h.clock.advanceSeconds(6 * 3600 + 60);
    await h.services.poller.runOnce();
    // and one made later the same day, accepted but not yet followed
    ids.ito = (await pay('ito', { amount: 500, beneficiary: seller('イトウ サブロウ', '4567890') }).expect(201)).body.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  test('JSON: the day’s payouts oldest first, each with status, fee and its rows in the statement; totals of what was debited', async () => {
    const res = await report(`date=${today}`).expect(200);
    expect(res.headers['content-type']).toContain('application/json');
    const body = res.body as PayoutReport;
    expect(body).toMatchObject({ companyId: 'SHOP', date: today, notes: [] });
    expect(body.lines.map((l) => [l.id, l.status])).toEqual([
      [ids.yamada, 'completed'],
      [ids.suzuki, 'completed'],
      [ids.tanaka, 'returned'],
      [ids.refused, 'failed'],
      [ids.ito, 'submitted'],
    ]);
    const [yamada, , tanaka, refused, ito] = body.lines;
    expect(yamada).toMatchObject({
      kind: 'transfer',
      reference: 'BUY-1',
      accountId: '101011234567',
      amount: 12_000,
      fee: 145,
      totalDebit: 12_145,
      bankStatus: '20',
      applyNo: expect.stringMatching(/^\d{16}$/),
      designatedDate: today,
      settlementDate: today,
      beneficiary: { bankCode: '0005', bankName: expect.stringContaining('三菱'), accountNumber: '1234567', name: 'ﾔﾏﾀﾞ ﾀﾛｳ' },
    });
    // the report's item keys are the rows GET …/transactions matches to the same payouts
    const statement = await get(`/accounts/101011234567/transactions?from=${today}&to=${today}`).expect(200);
    const rowsOf = (id: string, as: string) => statement.body.items.filter((r: { transferId: string; matchedAs: string }) => r.transferId === id && r.matchedAs === as);
    for (const line of [yamada, body.lines[1], tanaka]) {
      const [debit] = rowsOf(line.id, 'transfer');
      const [fee] = rowsOf(line.id, 'fee');
      expect(line.statementMatch).toEqual({ withdrawalItemKey: debit.itemKey, feeItemKey: fee.itemKey });
    }
    // the returned money came back as a deposit: not a payout row
    expect(statement.body.items.some((r: { type: string; remarks: string }) => r.type === 'deposit' && r.remarks === '資金返却 ﾀﾅｶ ｼﾞﾛｳ')).toBe(true);
    expect(refused.statementMatch).toBeNull();
    expect(ito.statementMatch).toBeNull();
    expect(body.totals).toEqual({
      count: 5,
      countByStatus: { pending: 0, unknown: 0, submitted: 1, scheduled: 0, processing: 0, completed: 2, failed: 1, cancelled: 0, returning: 0, returned: 1 },
      totalAmount: 23_000,
      totalFee: 435,
      totalDebit: 23_435,
    });
  });

  test('CSV (format=csv or Accept: text/csv): UTF-8 with BOM, CRLF, Japanese headers, the same lines as the JSON, a totals row', async () => {
    const json = (await report(`date=${today}`).expect(200)).body as PayoutReport;
    for (const res of [
      await report(`date=${today}&format=csv`).buffer(true).parse(raw).expect(200),
      await report(`date=${today}`).set('accept', 'text/csv').buffer(true).parse(raw).expect(200),
    ]) {
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="payouts-${today}.csv"`);
      const bytes = res.body as Buffer;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8');
      expect(text.split('\r\n')).toHaveLength(json.lines.length + 3); // header, lines, totals, and the final CRLF
      expect(text.replace(/\r\n/g, '')).not.toContain('\n');

      const records = parse(bytes, { bom: true, columns: true }) as Array<Record<string, string>>;
      expect(Object.keys(records[0])).toEqual(CSV_COLUMNS.map((c) => c.header));
      expect(Object.keys(records[0])).toEqual(expect.arrayContaining(['作成日時', '振込日', '金額', '手数料', '受取人', '状態']));
      const totals = records.pop()!;
      expect(totals).toMatchObject({ 作成日時: TOTAL_ROW_LABEL, 金額: '23000', 手数料: '435', 引落合計: '23435' });
      expect(records).toHaveLength(json.lines.length);
      records.forEach((r, i) => {
        const l: PayoutReportLine = json.lines[i];
        const jst = new Date(Date.parse(l.createdAt) + 9 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ');
        expect(r).toEqual({
          作成日時: jst,
          振込指定日: l.designatedDate,
          振込日: l.settlementDate,
          種別: '振込',
          取引ID: l.id,
          明細番号: '',
          // a reference that would run as a spreadsheet formula is kept as text
          参照番号: l.reference === FORMULA ? `'${FORMULA}` : (l.reference ?? ''),
          状態: STATUS_LABELS[l.status],
          状態コード: l.status,
          銀行ステータス: l.bankStatus ?? '',
          受付番号: l.applyNo ?? '',
          出金口座: l.accountId,
          金額: String(l.amount),
          手数料: l.fee === null ? '' : String(l.fee),
          引落合計: l.totalDebit === null ? '' : String(l.totalDebit),
          受取人: l.beneficiary.name,
          銀行コード: l.beneficiary.bankCode,
          銀行名: l.beneficiary.bankName,
          支店コード: l.beneficiary.branchCode,
          支店名: l.beneficiary.branchName,
          預金種別: '普通',
          口座番号: l.beneficiary.accountNumber,
          出金明細キー: l.statementMatch?.withdrawalItemKey ?? '',
          手数料明細キー: l.statementMatch?.feeItemKey ?? '',
        });
      });
      // Japanese text intact, half-width kana too
      expect(records.map((r) => r.受取人)).toEqual(['ﾔﾏﾀﾞ ﾀﾛｳ', 'ｽｽﾞｷ ｲﾁﾛ-', 'ﾀﾅｶ ｼﾞﾛｳ', 'ﾔﾏﾀﾞ ﾀﾛｳ', 'ｲﾄｳ ｻﾌﾞﾛｳ']);
      expect(records.map((r) => r.状態)).toEqual(['振込済', '振込済', '返却済', '不成立', '受付済']);
    }
    // format=json wins over Accept
    expect((await report(`date=${today}&format=json`).set('accept', 'text/csv').expect(200)).headers['content-type']).toContain('application/json');
  });

  test('the bank down: the report still answers, statementMatch null and a note saying why', async () => {
    h.sim.state.injectFault({ target: 'transactions', kind: 'maintenance', count: 5 });
    try {
      const body = (await report(`date=${today}`).expect(200)).body as PayoutReport;
      expect(body.lines.map((l) => l.statementMatch)).toEqual([null, null, null, null, null]);
      expect(body.notes).toEqual([expect.stringContaining('maintenance')]);
      expect(body.totals.totalAmount).toBe(23_000);
      const csv = (await report(`date=${today}&format=csv`).expect(200)).text;
      expect(csv).toContain(TOTAL_ROW_LABEL);
    } finally {
      h.sim.state.clearFaults();
    }
  });

  test('a day without payouts is an empty report with zero totals', async () => {
    const body = (await report('date=2026-11-01').expect(200)).body as PayoutReport;
    expect(body).toMatchObject({ lines: [], notes: [], totals: { count: 0, totalAmount: 0, totalFee: 0, totalDebit: 0 } });
    const csv = await report('date=2026-11-01&format=csv').buffer(true).parse(raw).expect(200);
    const records = parse(csv.body as Buffer, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(records).toEqual([expect.objectContaining({ 作成日時: TOTAL_ROW_LABEL, 金額: '0' })]);
  });

  test.each([
    ['no date', '', 'date'],
    ['a malformed date', 'date=2026/11/24', 'date'],
    ['an unknown format', 'date=2026-11-24&format=xlsx', 'format'],
  ])('%s is a 400 naming the field', async (_name, query, field) => {
    const res = await report(query).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });

  test('another company’s key sees nothing', async () => {
    await report(`date=${today}`, await h.apiKey('OTHER')).expect(404);
  });
});
