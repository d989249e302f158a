import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import Database from 'better-sqlite3';
import type { SimulatorState } from './state';

/** Bumped when the stores' fields change in a way a snapshot cannot follow. */
const FORMAT = 1;

/**
 * A snapshot on every change would copy the whole state per transfer; one at most every second, and a last one
 * on stop, is enough for a demo simulator: a crash (not a stop) loses at most the last second.
 */
const SAVE_DELAY_MS = 1000;

type Fields = { [field: string]: unknown };

/** Values kept whole by the structured clone; any other object is a store whose fields are walked. */
function isData(value: unknown): boolean {
  return value === null || typeof value !== 'object' || value instanceof Map || value instanceof Set || value instanceof Date || Array.isArray(value);
}

/**
 * The state lives in the private fields of several stores (tokens and grants, accounts and their ledgers,
 * transfers, virtual accounts, idempotency keys, the clock's schedule) that share sub-stores. Rather than
 * a codec per store, their fields are walked: data is taken as is, a sub-store as its own fields (once,
 * however many stores share it); functions and the state's shared config and clock are left to the new
 * instances. One v8 structured clone of the whole keeps the objects held in two places (a transfer in the
 * list, the index and the schedule) one object.
 */
function capture(store: object, shared: ReadonlySet<unknown>, seen: Map<object, Fields>): Fields {
  const known = seen.get(store);
  if (known) return known;
  const fields: Fields = {};
  seen.set(store, fields);
  for (const [key, value] of Object.entries(store)) {
    if (typeof value === 'function' || shared.has(value)) continue;
    fields[key] = isData(value) ? value : capture(value as object, shared, seen);
  }
  return fields;
}

/** Writes the captured fields into freshly built stores of the same shape; a field on one side only is a snapshot of another version. */
function restore(store: object, fields: Fields, shared: ReadonlySet<unknown>, done: Set<object>): void {
  if (done.has(store)) return;
  done.add(store);
  const target = store as Fields;
  const own = Object.keys(target).filter((k) => typeof target[k] !== 'function' && !shared.has(target[k]));
  const differ = [...own.filter((k) => !(k in fields)), ...Object.keys(fields).filter((k) => !own.includes(k))];
  if (differ.length > 0) throw new Error(`fields ${differ.join(', ')} of ${store.constructor.name} do not match`);
  for (const key of own) {
    if (isData(target[key])) target[key] = fields[key];
    else restore(target[key] as object, fields[key] as Fields, shared, done);
  }
}

/**
 * The simulator's state in an SQLite file, so that a restart keeps the tokens, grants and transfers the
 * service still holds (with the service's own SQLite, a restart would otherwise turn every demo connection
 * into reauthorization_required). Configuration (/_sim/config), queued faults and counters are not kept.
 */
export class StateFile {
  private readonly db: Database.Database;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly state: SimulatorState,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.exec('CREATE TABLE IF NOT EXISTS simulator_state (id INTEGER PRIMARY KEY CHECK (id = 1), format INTEGER NOT NULL, saved_at TEXT NOT NULL, state BLOB NOT NULL)');
  }

  /** Opens (or creates) the file and loads what it holds into `state`; a snapshot this version cannot read is logged and left to be overwritten. */
  static open(path: string, state: SimulatorState): StateFile {
    const file = new StateFile(path, state);
    file.load();
    return file;
  }

  /** Something may have changed: a save follows within SAVE_DELAY_MS. */
  changed(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, SAVE_DELAY_MS);
    this.timer.unref();
  }

  /** The last save, then the file is closed. */
  close(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.save();
    this.closed = true;
    this.db.close();
  }

  private roots(): { stores: { auth: object; bank: object }; shared: ReadonlySet<unknown> } {
    return { stores: { auth: this.state.auth, bank: this.state.bank }, shared: new Set<unknown>([this.state.config, this.state.clock]) };
  }

  private save(): void {
    const { stores, shared } = this.roots();
    const snapshot = serialize(capture(stores, shared, new Map()));
    this.db
      .prepare('INSERT INTO simulator_state (id, format, saved_at, state) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET format = excluded.format, saved_at = excluded.saved_at, state = excluded.state')
      .run(FORMAT, new Date().toISOString(), snapshot);
  }

  private load(): void {
    const row = this.db.prepare('SELECT format, saved_at AS savedAt, state FROM simulator_state WHERE id = 1').get() as { format: number; savedAt: string; state: Buffer } | undefined;
    if (!row) {
      this.state.log({ msg: 'state file created', file: this.path });
      return;
    }
    try {
      if (row.format !== FORMAT) throw new Error(`format ${row.format}, this simulator reads ${FORMAT}`);
      const { stores, shared } = this.roots();
      restore(stores, deserialize(row.state) as Fields, shared, new Set());
      this.state.log({ msg: 'state restored', file: this.path, savedAt: row.savedAt, transfers: this.state.bank.all('transfer').length, bulkTransfers: this.state.bank.all('bulk').length });
    } catch (err) {
      // a half-restored state is worse than none: start from the seed, and say why the service's connections need consent again
      this.state.reset();
      this.state.log({ msg: 'state file not restored: starting empty; connections made before need consent again', file: this.path, reason: (err as Error).message });
    }
  }
}
