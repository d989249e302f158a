import type { Logger } from 'typeorm';

/**
 * TypeORM's logger, used for one thing: counting every statement the service sends (a transaction's BEGIN
 * and COMMIT too), for `gbi_db_statements_total`, the benchmark's statements per request on SQLite (which has
 * no server-side counter) and the test that holds a payout to its statements. Logs nothing: queries carry values.
 */
export class StatementCounter implements Logger {
  sent = 0;

  logQuery(): void {
    this.sent += 1;
  }

  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
