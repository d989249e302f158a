import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import express from 'express';
import { createPool } from 'mysql2/promise';

/**
 * The baseline of `npm run bench`: the least a payout service can do, as its own process. POST /transfers
 * inserts one row and forwards the GMO /transfer/request it was sent, as it is, to the bank with an access
 * token the bench obtained once; GET /transfers/:id is one SELECT by primary key. Same database engine as
 * the integrator (the same SQLite file, or the same MariaDB database with a pool of 10), its own table.
 *
 * Environment: PORT, DATABASE_URL (sqlite:<path> or mysql://…), BANK_API_URL, BANK_ACCESS_TOKEN, and
 * BENCH_COUNT_STATEMENTS=1 to count statements and write `statements <n>` to stderr on SIGUSR2.
 */
interface Row {
  id: string;
  idempotency_key: string;
  amount: number;
  created_at: string | Date;
}

interface Store {
  insert(row: Row): Promise<void>;
  byId(id: string): Promise<Row | undefined>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bare: ${name} is required`);
  return value;
}

function sqliteStore(path: string): Store {
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS bare_transfers (id varchar(36) PRIMARY KEY, idempotency_key varchar(128) NOT NULL, amount bigint NOT NULL, created_at datetime NOT NULL)');
  const insert = db.prepare('INSERT INTO bare_transfers (id, idempotency_key, amount, created_at) VALUES (?, ?, ?, ?)');
  const select = db.prepare<[string], Row>('SELECT * FROM bare_transfers WHERE id = ?');
  return {
    insert: async (r) => void insert.run(r.id, r.idempotency_key, r.amount, new Date(r.created_at).toISOString()),
    byId: async (id) => select.get(id),
  };
}

async function mysqlStore(url: string): Promise<Store> {
  const pool = createPool({ uri: url, connectionLimit: 10, timezone: 'Z' });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bare_transfers (id varchar(36) PRIMARY KEY, idempotency_key varchar(128) NOT NULL, amount bigint NOT NULL, created_at datetime(3) NOT NULL) ENGINE=InnoDB',
  );
  return {
    insert: async (r) => void (await pool.query('INSERT INTO bare_transfers (id, idempotency_key, amount, created_at) VALUES (?, ?, ?, ?)', [r.id, r.idempotency_key, r.amount, r.created_at])),
    byId: async (id) => ((await pool.query('SELECT * FROM bare_transfers WHERE id = ?', [id]))[0] as Row[])[0],
  };
}

/** What the integrator counts in gbi_db_statements_total, kept here for the bare app. */
function counted(store: Store): Store {
  if (process.env.BENCH_COUNT_STATEMENTS !== '1') return store;
  let statements = 0;
  process.on('SIGUSR2', () => process.stderr.write(`statements ${statements}\n`));
  return {
    insert: (r) => ((statements += 1), store.insert(r)),
    byId: (id) => ((statements += 1), store.byId(id)),
  };
}

async function main(): Promise<void> {
  const databaseUrl = required('DATABASE_URL');
  const bankUrl = required('BANK_API_URL');
  const token = required('BANK_ACCESS_TOKEN');
  const store = counted(databaseUrl.startsWith('sqlite:') ? sqliteStore(databaseUrl.slice('sqlite:'.length)) : await mysqlStore(databaseUrl));

  const app = express();
  app.use(express.json());
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.post('/transfers', async (req, res) => {
    const id = randomUUID();
    const body = req.body as { totalAmount: string };
    await store.insert({ id, idempotency_key: req.get('idempotency-key') ?? id, amount: Number(body.totalAmount), created_at: new Date() });
    const bank = await fetch(`${bankUrl}/transfer/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-access-token': token, 'idempotency-key': id },
      body: JSON.stringify(body),
    });
    res.status(bank.status).location(`/transfers/${id}`).type('application/json').send(await bank.text());
  });
  app.get('/transfers/:id', async (req, res) => {
    const row = await store.byId(req.params.id);
    if (row) res.json(row);
    else res.status(404).json({ error: 'not found' });
  });
  const port = Number(process.env.PORT ?? 0);
  const server = app.listen(port, '127.0.0.1', () => process.stdout.write(`bare listening on ${port}\n`));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`bare: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
