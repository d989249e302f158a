import request from 'supertest';
import { isUniqueViolation } from '../../src/db/errors';
import { BankConnection } from '../../src/connections/bankConnection.entity';
import { findRow, findRowWith, insertRows, updateRows } from '../../src/db/rowSql';
import { BankToken } from '../../src/tokens/bankToken.entity';
import { Transfer } from '../../src/transfers/transfer.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '123', name: 'ヤマダ タロウ' };

/**
 * The hot paths' plain SQL (db/rowSql.ts) must read and write a row exactly as TypeORM does: dates to the
 * millisecond, NULLs, yen through the BIGINT transformer, text. Each direction is checked against TypeORM.
 */
describe.each(DATABASES)('one-row plain SQL agrees with TypeORM on %s', (kind) => {
  let h: Harness;
  let source: Transfer;
  beforeAll(async () => {
    h = await startHarness(kind, { simulator: { bankCalendar: false } });
    const { key } = await connectCompany(h, 'SHOP');
    const created = await request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', 'row-sql').send({ amount: 12345, beneficiary: SELLER }).expect(201);
    source = await h.services.db.manager.findOneByOrFail(Transfer, { id: created.body.id });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('a row read by findRow equals the row TypeORM reads', async () => {
    const read = await findRow(h.services.db.manager, Transfer, { environment: source.environment, companyId: 'SHOP', id: source.id });
    expect(read).toBeInstanceOf(Transfer);
    expect(read).toEqual(source);
    expect(typeof read!.amount).toBe('number');
    expect(read!.createdAt).toBeInstanceOf(Date);
  });

  test('IS NULL in a where, and no row → null', async () => {
    expect(await findRow(h.services.db.manager, Transfer, { id: source.id, cancelRequestedAt: null })).toEqual(source);
    expect(await findRow(h.services.db.manager, Transfer, { id: source.id, applyNo: null })).toBeNull();
    expect(await findRow(h.services.db.manager, Transfer, { id: 'no-such-id' })).toBeNull();
  });

  test('a row written by insertRows reads back through TypeORM as written, milliseconds and NULLs included', async () => {
    const copy = Object.assign(new Transfer(), source, {
      id: '00000000-0000-4000-8000-00000000a001',
      idempotencyKey: 'row-sql-copy',
      applyNo: null,
      amount: 9_007_199_254_740, // a yen amount far beyond 32 bits
      createdAt: new Date('2026-03-04T05:06:07.891Z'),
      completedAt: null,
      errorDetails: '[{"code":"x","message":"ｱｲｳ 漢字"}]',
    });
    await h.services.db.single((em) => insertRows(em, Transfer, [copy]));
    expect(await h.services.db.manager.findOneByOrFail(Transfer, { id: copy.id })).toEqual(copy);
  });

  test('several rows in one INSERT; rows that do not define the same columns are refused before anything is sent', async () => {
    const rows = [1, 2, 3].map((i) => Object.assign(new Transfer(), source, { id: `00000000-0000-4000-8000-00000000b00${i}`, idempotencyKey: `row-sql-many-${i}`, applyNo: null, amount: i * 1000 }));
    const before = h.services.db.statementsSent;
    await h.services.db.single((em) => insertRows(em, Transfer, rows));
    expect(h.services.db.statementsSent - before).toBe(1);
    for (const row of rows) expect(await h.services.db.manager.findOneByOrFail(Transfer, { id: row.id })).toEqual(row);
    const ragged = [
      Object.assign(new Transfer(), source, { id: '00000000-0000-4000-8000-00000000b004', idempotencyKey: 'row-sql-ragged-1' }),
      Object.assign(new Transfer(), source, { id: '00000000-0000-4000-8000-00000000b005', idempotencyKey: 'row-sql-ragged-2', fee: undefined }),
    ];
    await expect(h.services.db.single((em) => insertRows(em, Transfer, ragged))).rejects.toThrow(/every row must define the same columns/);
    expect(h.services.db.statementsSent - before).toBe(1 + 3);
  });

  test('a second row with the same key is the unique violation the stores recognise', async () => {
    const twin = Object.assign(new Transfer(), source, { id: '00000000-0000-4000-8000-00000000a002' });
    const err = await h.services.db.single((em) => insertRows(em, Transfer, [twin])).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect(await h.services.db.manager.findOneBy(Transfer, { id: twin.id })).toBeNull();
  });

  test('updateRows changes only the matching row, reports how many, and writes values TypeORM reads back', async () => {
    const at = new Date('2026-05-06T07:08:09.123Z');
    const set = { nextPollAt: at, errorCode: null, fee: 145 };
    expect(await updateRows(h.services.db.manager, Transfer, { id: source.id, status: 'no-such-status' as Transfer['status'] }, set)).toBe(0);
    expect(await updateRows(h.services.db.manager, Transfer, { id: source.id, status: source.status }, set)).toBe(1);
    const after = await h.services.db.manager.findOneByOrFail(Transfer, { id: source.id });
    expect(after).toEqual(Object.assign(new Transfer(), source, set));
  });

  test('findRowWith: a row and the row joined to it in one statement, each equal to what TypeORM reads; null when either is absent', async () => {
    const em = h.services.db.manager;
    const environment = source.environment;
    const on = { environment: 'environment', companyId: 'companyId' } as const;
    const before = h.services.db.statementsSent;
    const found = await findRowWith(em, BankConnection, { environment, companyId: 'SHOP' }, BankToken, on, { kind: 'access' });
    expect(h.services.db.statementsSent - before).toBe(1);
    expect(found!.row).toEqual(await em.findOneByOrFail(BankConnection, { environment, companyId: 'SHOP' }));
    expect(found!.joined).toEqual(await em.findOneByOrFail(BankToken, { environment, companyId: 'SHOP', kind: 'access' }));
    const noToken = await findRowWith(em, BankConnection, { environment, companyId: 'SHOP' }, BankToken, on, { kind: 'no-such-kind' as BankToken['kind'] });
    expect(noToken!.row).toEqual(found!.row);
    expect(noToken!.joined).toBeNull();
    expect(await findRowWith(em, BankConnection, { environment, companyId: 'NOBODY' }, BankToken, on, { kind: 'access' })).toBeNull();
  });

  test('inside a transaction the statements take part in it', async () => {
    const rolledBack = Object.assign(new Transfer(), source, { id: '00000000-0000-4000-8000-00000000a003', idempotencyKey: 'row-sql-rolled-back' });
    await h.services.db
      .transaction(async (em) => {
        await insertRows(em, Transfer, [rolledBack]);
        expect(await findRow(em, Transfer, { id: rolledBack.id })).toEqual(rolledBack);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await h.services.db.manager.findOneBy(Transfer, { id: rolledBack.id })).toBeNull();
  });
});
