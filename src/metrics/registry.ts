import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { Clock } from '../clock';
import { Instruments } from './instruments';

/** One registry per Services, never prom-client's global one: tests build several Services in one process. */
export interface Metrics {
  registry: Registry;
  instruments: Instruments;
}

/**
 * The registry with the process metrics (`process_*`, `nodejs_*`), the statements sent to the database and the
 * instruments; `wallClock`: see Instruments.
 */
export function createMetrics(wallClock: Clock, statementsSent: () => number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Counter({
    name: 'gbi_db_statements_total',
    help: 'Statements sent to the database (BEGIN and COMMIT included), counted as they are sent.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(statementsSent());
    },
  });
  return { registry, instruments: new Instruments(registry, wallClock) };
}
