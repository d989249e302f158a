import { matchRows, type MatchableRow, type Payout } from '../../src/statements/matching';

const DAY = '2026-11-24';
const debit = (amount: number, remarks: string, transactionDate = DAY): MatchableRow => ({ transactionDate, type: 'withdrawal', amount, remarks });
const fee = (amount = 145, transactionDate = DAY): MatchableRow => ({ transactionDate, type: 'withdrawal', amount, remarks: '振込手数料' });
const deposit = (amount: number, remarks: string): MatchableRow => ({ transactionDate: DAY, type: 'deposit', amount, remarks });
const transfer = (id: string, amount: number, beneficiaryName: string, extra: Partial<Payout> = {}): Payout => ({
  kind: 'transfer',
  id,
  amount,
  fee: 145,
  settlementDate: DAY,
  beneficiaryName,
  ...extra,
});
const ids = (r: ReturnType<typeof matchRows>) => r.matches.map((m) => (m ? `${m.id}/${m.as}` : null));

describe('matching statement rows to our payouts', () => {
  test('exact: the debit and the 振込手数料 right after it, names compared across half and full width', () => {
    const rows = [deposit(100_000, '振込 ｱｵｿﾞﾗ ﾊﾅｺ'), debit(12_000, '振込 ヤマダ　タロウ'), fee(), debit(3_000, '振込 ｶ)ｽｽﾞｷｼﾖｳｼﾞ'), fee()];
    const payouts = [transfer('t1', 12_000, 'ﾔﾏﾀﾞ ﾀﾛｳ'), transfer('t2', 3_000, 'ｶ)ｽｽﾞｷｼﾖｳｼﾞ')];
    expect(ids(matchRows(rows, payouts))).toEqual([null, 't1/transfer', 't1/fee', 't2/transfer', 't2/fee']);
  });

  test('a full-width legal-entity name and small kana in the remarks still meet the name we sent', () => {
    const rows = [debit(5_000, '振込　カ）キャノンショウジ'), fee()];
    expect(ids(matchRows(rows, [transfer('t1', 5_000, 'ｶ)ｷﾔﾉﾝｼﾖｳｼﾞ')]))).toEqual(['t1/transfer', 't1/fee']);
  });

  test('ambiguous: two payouts alike (amount, day, name) match neither of their two rows', () => {
    const rows = [debit(1_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ'), fee(), debit(1_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ'), fee()];
    const payouts = [transfer('a', 1_000, 'ﾔﾏﾀﾞ ﾀﾛｳ'), transfer('b', 1_000, 'ﾔﾏﾀﾞ ﾀﾛｳ')];
    expect(ids(matchRows(rows, payouts))).toEqual([null, null, null, null]);
  });

  test('ambiguous: one payout that two rows fit (someone paid the same seller the same amount at the bank) matches neither', () => {
    const rows = [debit(1_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ'), fee(), debit(1_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ'), fee()];
    expect(ids(matchRows(rows, [transfer('a', 1_000, 'ﾔﾏﾀﾞ ﾀﾛｳ')]))).toEqual([null, null, null, null]);
  });

  test('two payouts of one amount to different sellers are told apart by the name', () => {
    const rows = [debit(1_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ'), fee(), debit(1_000, '振込 ｽｽﾞｷ ｲﾁﾛｳ'), fee()];
    const payouts = [transfer('a', 1_000, 'ｽｽﾞｷ ｲﾁﾛｳ'), transfer('b', 1_000, 'ﾔﾏﾀﾞ ﾀﾛｳ')];
    expect(ids(matchRows(rows, payouts))).toEqual(['b/transfer', 'b/fee', 'a/transfer', 'a/fee']);
  });

  test('nothing but the exact fit: another amount, another day, another name, a deposit', () => {
    const p = transfer('t1', 12_000, 'ﾔﾏﾀﾞ ﾀﾛｳ');
    expect(ids(matchRows([debit(12_001, '振込 ﾔﾏﾀﾞ ﾀﾛｳ')], [p]))).toEqual([null]);
    expect(ids(matchRows([debit(12_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ', '2026-11-25')], [p]))).toEqual([null]);
    expect(ids(matchRows([debit(12_000, '振込 ﾔﾏﾀﾞ ﾊﾅｺ')], [p]))).toEqual([null]);
    expect(ids(matchRows([debit(12_000, 'ATM ﾔﾏﾀﾞ ﾀﾛｳ')], [p]))).toEqual([null]);
    expect(ids(matchRows([deposit(12_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ')], [p]))).toEqual([null]);
  });

  test('the fee row: only right after the debit, only for the payout’s fee, never for a free or unknown fee', () => {
    const p = (f: number | null) => [transfer('t1', 12_000, 'ﾔﾏﾀﾞ ﾀﾛｳ', { fee: f })];
    expect(ids(matchRows([debit(12_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ'), fee(440)], p(145)))).toEqual(['t1/transfer', null]);
    expect(ids(matchRows([debit(12_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ'), debit(50, 'ATM'), fee()], p(145)))).toEqual(['t1/transfer', null, null]);
    expect(ids(matchRows([fee(), debit(12_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ')], p(145)))).toEqual([null, 't1/transfer']);
    expect(ids(matchRows([debit(12_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ'), fee(0)], p(0)))).toEqual(['t1/transfer', null]);
    expect(ids(matchRows([debit(12_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ'), fee()], p(null)))).toEqual(['t1/transfer', null]);
  });

  test('a returned transfer: its debit and fee still match; the money coming back is a deposit, matched to nothing', () => {
    const rows = [debit(8_000, '振込 ﾀﾅｶ ｼﾞﾛｳ'), fee(), deposit(8_000, '資金返却 ﾀﾅｶ ｼﾞﾛｳ')];
    expect(ids(matchRows(rows, [transfer('r1', 8_000, 'ﾀﾅｶ ｼﾞﾛｳ')]))).toEqual(['r1/transfer', 'r1/fee', null]);
  });

  test('a debit that closes a page leaves its fee open; the next page matches that fee when it opens it', () => {
    const payouts = [transfer('t1', 12_000, 'ﾔﾏﾀﾞ ﾀﾛｳ')];
    const first = matchRows([deposit(1, 'x'), debit(12_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ')], payouts);
    expect(ids(first)).toEqual([null, 't1/transfer']);
    expect(first.openFee).toEqual({ kind: 'transfer', id: 't1' });
    expect(ids(matchRows([fee(), debit(9, 'ATM')], payouts, first.openFee))).toEqual(['t1/fee', null]);
    // an open fee names a payout of ours only: one not among the payouts (a forged cursor) matches nothing
    expect(ids(matchRows([fee()], payouts, { kind: 'transfer', id: 'someone-else' }))).toEqual([null]);
    // a free transfer leaves nothing open
    expect(matchRows([debit(12_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ')], [transfer('t1', 12_000, 'ﾔﾏﾀﾞ ﾀﾛｳ', { fee: 0 })]).openFee).toBeNull();
  });

  test('a bulk transfer (no beneficiary name: one debit for the batch total) fits on amount and day alone', () => {
    const batch: Payout = { kind: 'bulk_transfer', id: 'b1', amount: 30_000, fee: 435, settlementDate: DAY };
    const rows = [debit(30_000, '総合振込'), fee(435), debit(1_000, '振込 ﾔﾏﾀﾞ ﾀﾛｳ')];
    expect(matchRows(rows, [batch, transfer('t1', 1_000, 'ﾔﾏﾀﾞ ﾀﾛｳ')]).matches).toEqual([
      { kind: 'bulk_transfer', id: 'b1', as: 'transfer' },
      { kind: 'bulk_transfer', id: 'b1', as: 'fee' },
      { kind: 'transfer', id: 't1', as: 'transfer' },
    ]);
  });

  test('no payouts, no rows: nothing to match', () => {
    expect(matchRows([], [])).toEqual({ matches: [], openFee: null });
    expect(ids(matchRows([debit(1, '振込 ﾔﾏﾀﾞ')], []))).toEqual([null]);
  });
});
