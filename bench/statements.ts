import { createConnection, type Connection } from 'mysql2/promise';
import type { NodeChild } from './children';
import type { Ask } from './compare';
import type { LoadGenerator } from './load';

const REQUESTS = 200;

/** Statements per request, each counted: by the process itself (both databases) and by MariaDB's server. */
export interface StatementCount {
  /** what the process's own counter saw (TypeORM's logger in the integrator, bare.ts's in the bare app) */
  process: number;
  /** MariaDB's global `Questions`, which sees every statement a client sends (this database only) */
  server?: number;
}

export type Statements = Record<'integrator' | 'bare', Record<'post' | 'get', StatementCount>>;

/** The bare app's count: the `statements <n>` line it writes to stderr on SIGUSR2 (BENCH_COUNT_STATEMENTS=1). */
async function bareCount(child: NodeChild): Promise<number> {
  const offset = child.stderrSize();
  child.child.kill('SIGUSR2');
  const [, n] = await child.waitForStderr(offset, /^statements (\d+)$/m, 10_000);
  return Number(n);
}

/** The integrator's own count, `gbi_db_statements_total` on its /metrics (a scrape's own reads are taken off). */
async function integratorCount(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = /^gbi_db_statements_total (\d+)$/m.exec(text);
  if (!line) throw new Error('the integrator\'s /metrics has no gbi_db_statements_total');
  return Number(line[1]);
}

async function questions(server: Connection): Promise<number> {
  const [rows] = await server.query("SHOW GLOBAL STATUS LIKE 'Questions'");
  return Number((rows as Array<{ Value: string }>)[0].Value);
}

/**
 * REQUESTS sequential requests of each kind to each target, with the counters read before and after.
 * The bench's mariadbd serves nothing else meanwhile (every job of the integrator is set to run never, the
 * other target is idle), so the server's count is this target's; the counter's own reads are measured and
 * taken off.
 */
export async function countStatements(
  load: LoadGenerator,
  asks: Record<'integrator' | 'bare', Ask>,
  targets: { integratorUrl: string; bare: NodeChild },
  mariadbUrl: string | undefined,
  tag: string,
): Promise<Statements> {
  const server = mariadbUrl ? await createConnection(mariadbUrl) : undefined;
  const processCount = { integrator: () => integratorCount(targets.integratorUrl), bare: () => bareCount(targets.bare) };
  try {
    const firstRead = server && (await questions(server));
    const readCost = server ? (await questions(server)) - firstRead! : 0;
    // a scrape of /metrics reads the database too: what one costs is measured and taken off, like the server's
    const firstScrape = await processCount.integrator();
    const scrapeCost = (await processCount.integrator()) - firstScrape;
    const count = async (target: 'integrator' | 'bare', kind: 'post' | 'get'): Promise<StatementCount> => {
      const job = asks[target](kind, `${tag}-statements-${kind}-${target}`)!;
      const [processBefore, serverBefore] = [await processCount[target](), server && (await questions(server))];
      const result = await load.run({ ...job, connections: 1, amount: REQUESTS });
      const [processAfter, serverAfter] = [await processCount[target](), server && (await questions(server))];
      const ownReads = target === 'integrator' ? scrapeCost : 0;
      if (result.ok !== REQUESTS) throw new Error(`statement count of ${kind} at ${target}: ${result.ok} of ${REQUESTS} answered 2xx (${JSON.stringify(result.statuses)})`);
      return {
        process: (processAfter - processBefore - ownReads) / REQUESTS,
        // the integrator's scrapes reach the server too
        ...(server ? { server: (serverAfter! - serverBefore! - readCost - ownReads) / REQUESTS } : {}),
      };
    };
    return {
      integrator: { post: await count('integrator', 'post'), get: await count('integrator', 'get') },
      bare: { post: await count('bare', 'post'), get: await count('bare', 'get') },
    };
  } finally {
    await server?.end();
  }
}
