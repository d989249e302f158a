/**
 * Property-based fuzzing of every route over real HTTP: a real service and a real bank simulator on
 * 127.0.0.1, on SQLite and on MariaDB. For every response:
 *
 * - never a 5xx (nor a dropped connection);
 * - on /v1 and unknown paths, every non-2xx answer is RFC 9457 application/problem+json whose `status`
 *   equals the HTTP status; on the browser routes every non-2xx/3xx answer is a Japanese HTML page;
 * - no body carries an API key, a bank token, the client secret, or a state/code value that was sent;
 * - a 4xx (other than the bank's own refusals) created no row in transfers, connect_sessions,
 *   bank_connections, bank_tokens or api_keys, and the bank simulator saw no new call.
 *
 * Each property first runs all its generated requests and records every violation by cause (so one run
 * reports every defect and always sends the full count); then each cause is replayed from the run that
 * first showed it with fc.assert, which shrinks it to a minimal counterexample. FUZZ_SEED=n replays a run.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import * as fc from 'fast-check';
import { jstDate } from '../../src/bank/jst';
import { nextBusinessDay, onOrAfterBusinessDay } from '../../src/calendar/businessDays';
import { sealingAad } from '../../src/crypto/cipher';
import { BankToken } from '../../src/tokens/bankToken.entity';
import { connectCompany } from '../support/connect';
import { DATABASES, type TestDatabaseKind } from '../support/databases';
import { SIM_CLIENT, startHarness, type Harness } from '../support/harness';
import { expectMoneyInvariant } from '../support/moneyInvariant';
import {
  browserRequest,
  jsonText,
  PoolRef,
  Repeat,
  transferRequest,
  unknownRequest,
  Utf8Header,
  v1Request,
  type HeaderValue,
  type PoolName,
  type Spec,
  type ZenginRef,
} from './requestArbitraries';

// ------------------------------------------------------------------------------------------ settings

/** generated requests per database: 2,700 + 1,700 + 900 + 700 = 6,000 (12,000 over both) */
const PROPERTIES: Array<{ name: string; arbitrary: fc.Arbitrary<Spec>; numRuns: number }> = [
  { name: 'every /v1 route: auth, company and id segments, queries, bodies', arbitrary: v1Request, numRuns: 2700 },
  { name: 'transfers and fee quotes: bodies, Idempotency-Key, Content-Type, Content-Encoding, framing', arbitrary: transferRequest, numRuns: 1700 },
  { name: 'browser routes: connect links, bank callbacks (forged and real state), cookies', arbitrary: browserRequest, numRuns: 900 },
  { name: 'unknown paths and wrong methods', arbitrary: unknownRequest, numRuns: 700 },
];
/** causes replayed and shrunk per property, and requests each shrink may send */
const MAX_REPLAYS = 12;
const SHRINK_BUDGET = 150;
/**
 * A fixed seed by default, so CI sends the same 12,000 requests every run and a red run replays exactly;
 * FUZZ_SEED=random explores new ones (the seed is printed), FUZZ_SEED=n replays a run.
 */
const BASE_SEED =
  process.env.FUZZ_SEED === 'random' ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261125;

/** problem types that are the bank's own refusal: the bank was called, and a failed transfer row is kept */
const BANK_REFUSALS = new Set(['transfer-refused', 'bank-validation-error', 'cancel-refused']);
/**
 * Answers that depend on the bank's current state, so the bank may have been *read* first (never written
 * to: no transfer, no token request, no row): a cancel is refused once the bank shows the transfer under way.
 */
const BANK_READS: Record<string, string[]> = { 'transfer-not-cancellable': ['transfer.status', 'transfer.result'] };
const TABLES = ['transfers', 'connect_sessions', 'bank_connections', 'bank_tokens', 'api_keys'] as const;
const COUNT_SQL = `SELECT ${TABLES.map((t) => `(SELECT COUNT(*) FROM ${t}) AS ${t}`).join(', ')}`;

// ------------------------------------------------------------------------------------------ the run's record

export interface FuzzSummary {
  database: TestDatabaseKind;
  seed: number;
  requests: number;
  generated: number;
  replayed: number;
  status5xx: number;
  noResponse: number;
  byClass: Record<string, number>;
  /** status classes by route family: what the generated requests reached */
  byFamily: Record<string, Record<string, number>>;
  violations: Record<string, number>;
  seconds: number;
}
/** one entry per database, filled in afterAll (also written to $TMPDIR/gbi-fuzz-summary-<db>.json) */
export const fuzzSummaries: Partial<Record<TestDatabaseKind, FuzzSummary>> = {};

// ------------------------------------------------------------------------------------------ HTTP

type Area = 'v1' | 'browser' | 'other';

interface Wire {
  family: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  chunked: boolean;
  area: Area;
  /** state and code values this request carries: no answer may contain them */
  sentSecrets: string[];
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function sendOnce(baseUrl: string, wire: Wire): Promise<Reply | { error: string; reused: boolean }> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let answered = false;
    const req = httpRequest({ host: url.hostname, port: url.port, method: wire.method, path: wire.path, headers: wire.headers, agent }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: `response ${err.code ?? err.message}`, reused: false }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!answered) resolve({ error: err.code ?? err.message, reused: req.reusedSocket });
    });
    if (!wire.body) return void req.end();
    if (!wire.chunked) return void req.end(wire.body);
    const half = Math.ceil(wire.body.length / 2);
    req.write(wire.body.subarray(0, half));
    req.end(wire.body.subarray(half));
  });
}

/** A keep-alive socket the server closed as it was reused carries no request: send once more on a new one. */
async function send(baseUrl: string, wire: Wire): Promise<Reply | { error: string }> {
  const first = await sendOnce(baseUrl, wire);
  if ('error' in first && first.reused && /ECONNRESET|EPIPE/.test(first.error)) return sendOnce(baseUrl, wire);
  return first;
}

function areaOf(method: string, path: string): Area {
  // what Express routes on: the path before any query or fragment, without case
  const p = path.split(/[?#]/)[0].toLowerCase();
  if (p === '/v1' || p.startsWith('/v1/')) return 'v1';
  if (method === 'GET' && /^\/(connect|refresh_token)\/[^/]+\/?$/.test(p)) return 'browser';
  return 'other';
}

/** Node refuses to send a path byte outside 0x21–0x7e (and answers 400 itself to one ≥ 0x7f): escape those. */
const sendablePath = (p: string) => p.replace(/[^\x21-\x7e]/gu, (c) => (c.length === 1 && c >= '\ud800' && c <= '\udfff' ? '%EF%BF%BD' : encodeURIComponent(c)));

const headerText = (v: HeaderValue): string | string[] =>
  Array.isArray(v) ? v : v instanceof Utf8Header ? Buffer.from(v.text, 'utf8').toString('latin1') : v instanceof Repeat ? v.value() : v;

function preview(buf: Buffer | string | undefined, max = 240): string {
  if (buf === undefined) return '(none)';
  const s = typeof buf === 'string' ? buf : buf.toString('utf8');
  const bytes = typeof buf === 'string' ? Buffer.byteLength(buf) : buf.length;
  return s.length > max ? `${JSON.stringify(s.slice(0, max))}… (${bytes} bytes)` : JSON.stringify(s);
}

/** `names`: the harness's API keys by their role, shown as <shop key> etc. */
function describeWire(w: Wire, names: Map<string, string>): string {
  const headers = Object.entries(w.headers)
    .map(([k, v]) => `${k}: ${k === 'authorization' ? preview([...names].reduce((text, [key, name]) => text.split(key).join(`<${name}>`), String(v)), 120) : Array.isArray(v) ? v.map((x) => preview(x, 60)).join(' + ') : preview(v, 120)}`)
    .join('\n    ');
  return `${w.method} ${w.path.length > 300 ? `${w.path.slice(0, 300)}… (${w.path.length} chars)` : w.path}\n    ${headers || '(no headers)'}\n    body: ${preview(w.body)}${w.chunked ? ' (chunked)' : ''}`;
}

// ------------------------------------------------------------------------------------------ the fuzzer

interface Counts {
  rows: Record<(typeof TABLES)[number], number>;
  bankTransfers: number;
  tokenRequests: number;
  apiCalls: Record<string, number>;
}

interface Violation {
  signature: string;
  detail: string;
}

interface Outcome {
  wire: Wire;
  reply: Reply | { error: string };
  violations: Violation[];
}

interface Finding {
  count: number;
  firstRun: number;
  families: Map<string, number>;
  example: string;
}

class Fuzzer {
  readonly pools: Record<PoolName, string[]> = { transfer: [], session: [], cursor: [] };
  private readonly secrets = new Map<string, string>([['client secret', SIM_CLIENT.clientSecret]]);
  private before: Counts | undefined;
  private zengin: Array<[string, string]> | undefined;
  readonly summary: FuzzSummary;
  private readonly started = Date.now();
  private readonly keyNames: Map<string, string>;

  constructor(
    readonly h: Harness,
    readonly keys: Record<'shop' | 'all' | 'other' | 'revoked', string>,
    seed: number,
  ) {
    for (const [name, key] of Object.entries(keys)) this.secrets.set(`${name} API key`, key);
    this.keyNames = new Map(Object.entries(keys).map(([name, key]) => [key, `${name} key`]));
    this.summary = { database: h.kind, seed, requests: 0, generated: 0, replayed: 0, status5xx: 0, noResponse: 0, byClass: {}, byFamily: {}, violations: {}, seconds: 0 };
  }

  finish(): FuzzSummary {
    this.summary.seconds = Math.round((Date.now() - this.started) / 100) / 10;
    return this.summary;
  }

  /** The plaintext bank tokens of SHOP: no answer may ever carry them. */
  async learnTokens(): Promise<void> {
    const rows = await this.h.services.db.manager.find(BankToken, { where: { companyId: 'SHOP' } });
    for (const row of rows) {
      const plain = this.h.services.cipher.open(row, sealingAad(this.h.config.bankEnv, 'SHOP', row.kind));
      this.secrets.set(`${row.kind} token ${plain.slice(0, 6)}…`, plain);
    }
  }

  private async counts(): Promise<Counts> {
    const [row] = (await this.h.services.db.dataSource.query(COUNT_SQL)) as Array<Record<string, unknown>>;
    const stats = this.h.sim.state.stats();
    return {
      rows: Object.fromEntries(TABLES.map((t) => [t, Number(row[t])])) as Counts['rows'],
      bankTransfers: stats.transferRequests,
      tokenRequests: stats.tokenRequests.authorization_code + stats.tokenRequests.refresh_token,
      apiCalls: stats.apiCalls,
    };
  }

  private pick(pool: PoolName, n: number): string {
    const values = this.pools[pool];
    if (values.length > 0) return values[n % values.length];
    return pool === 'cursor' ? '' : `00000000-0000-4000-8000-${String(n % 1e12).padStart(12, '0')}`;
  }

  private remember(pool: PoolName, value: unknown): void {
    if (typeof value !== 'string' || value === '') return;
    const values = this.pools[pool];
    if (!values.includes(value)) values.push(value);
    if (values.length > 100) values.shift();
  }

  private zenginCode(ref: ZenginRef): string {
    if (!this.zengin) {
      const data = require('zengin-code') as Record<string, { branches: Record<string, unknown> }>;
      this.zengin = Object.keys(data)
        .sort()
        .flatMap((bank) => Object.keys(data[bank].branches).sort().map((branch): [string, string] => [bank, branch]));
    }
    const [bank, branch] = this.zengin[ref.n % this.zengin.length];
    return ref.part === 'bank' ? bank : branch;
  }

  /** Turns a generated spec into bytes; a real-state callback first opens a fresh connect session. */
  async resolve(spec: Spec): Promise<Wire> {
    const resolver = {
      date: (days: number) => jstDate(new Date(this.h.clock.now().getTime() + days * 86_400_000)),
      businessDay: (n: number) => {
        let day = onOrAfterBusinessDay(jstDate(this.h.clock.now()));
        for (let i = 0; i < n; i++) day = nextBusinessDay(day);
        return day;
      },
      zengin: (ref: ZenginRef) => this.zenginCode(ref),
    };
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k] = headerText(v);
    const sentSecrets: string[] = [];
    let path: string;

    if (spec.callback) {
      const cb = spec.callback;
      const session = await this.h.services.connect.createSession('CBACK', null);
      const begun = await this.h.services.connect.begin(session.id);
      this.before = undefined; // a session row was just created on purpose
      const state = new URL(begun.authorizeUrl).searchParams.get('state')!;
      this.secrets.set('browser secret', begun.browserSecret);
      const query = [`state=${state}`];
      if (cb.breakWith !== 'no-code' && cb.code !== undefined) query.push(`code=${encodeURIComponent(cb.code)}`);
      const error = cb.breakWith === 'error-param' ? (cb.error ?? 'access_denied') : cb.error;
      if (error !== undefined) query.push(`error=${encodeURIComponent(error)}`);
      // the break must hold: no extra code when there should be none
      query.push(...cb.extraQuery.filter((q) => !(cb.breakWith === 'no-code' && q.startsWith('code='))));
      const cookie =
        cb.breakWith === 'no-cookie'
          ? []
          : cb.breakWith === 'wrong-cookie'
            ? ['gbi_connect=WRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONG123']
            : cb.breakWith === 'malformed-cookie'
              ? [`gbi_connect=${cb.malformedCookie}`]
              : [`gbi_connect=${begun.browserSecret}`];
      const cookies = [...cookie, ...cb.extraCookies];
      if (cookies.length > 0) headers.cookie = cookies.join('; ');
      path = `/refresh_token/${cb.breakWith === 'other-company' ? cb.companySegment : 'CBACK'}?${query.join('&')}`;
      sentSecrets.push(state, ...(cb.code ? [cb.code] : []));
    } else {
      path = spec.path.map((p) => (p instanceof Repeat ? p.value() : p instanceof PoolRef ? this.pick(p.pool, p.n) : p)).join('');
      if (spec.query) {
        path += `?${spec.query
          .map((q) => (q instanceof Repeat ? q.value() : Array.isArray(q) ? `${q[0]}=${encodeURIComponent(this.pick(q[1].pool, q[1].n))}` : q))
          .join('&')}`;
      }
      if (path.startsWith('/refresh_token/') || path.startsWith('/connect/')) {
        for (const m of path.matchAll(/[?&](?:state|code)=([^&#]*)/g)) sentSecrets.push(m[1]);
      }
    }

    if (spec.auth !== undefined && spec.auth !== 'none') {
      const a = spec.auth;
      headers.authorization =
        typeof a === 'string' ? `Bearer ${this.keys[a]}` : a.header.replace(/\{shop\}/g, this.keys.shop).replace(/\{all\}/g, this.keys.all);
    }

    let body: Buffer | undefined;
    if (spec.body) {
      const b = spec.body;
      body =
        'json' in b
          ? Buffer.from(jsonText(b.json, resolver), 'utf8')
          : 'text' in b
            ? Buffer.from(typeof b.text === 'string' ? b.text : b.text.value(), 'utf8')
            : Buffer.from(b.bytes);
      if (spec.compress) {
        const enc = String(headers['content-encoding'] ?? '').toLowerCase();
        if (enc === 'gzip' || enc === 'x-gzip') body = gzipSync(body);
        else if (enc === 'deflate') body = deflateSync(body);
        else if (enc === 'br') body = brotliCompressSync(body);
      }
      if (spec.chunked) headers['transfer-encoding'] = 'chunked';
      else headers['content-length'] = String(body.length);
    }

    path = sendablePath(path);
    return { family: spec.family, method: spec.method, path, headers, body, chunked: Boolean(spec.body && spec.chunked), area: areaOf(spec.method, path), sentSecrets };
  }

  /** Sends one request and checks every invariant; counts it. */
  async exchange(spec: Spec, phase: 'generated' | 'replayed'): Promise<Outcome> {
    const wire = await this.resolve(spec);
    const before = this.before ?? (await this.counts());
    const logMark = this.h.logs.length;
    const reply = await send(this.h.baseUrl, wire);
    const after = await this.counts();
    this.before = after;

    this.summary.requests++;
    this.summary[phase]++;
    if ('error' in reply) this.summary.noResponse++;
    else {
      const cls = `${Math.floor(reply.status / 100)}xx`;
      this.summary.byClass[cls] = (this.summary.byClass[cls] ?? 0) + 1;
      const family = (this.summary.byFamily[wire.family] ??= {});
      family[reply.status] = (family[reply.status] ?? 0) + 1;
      if (reply.status >= 500) this.summary.status5xx++;
    }

    const violations = this.check(wire, reply, before, after, this.h.logs.slice(logMark));
    for (const v of violations) this.summary.violations[v.signature] = (this.summary.violations[v.signature] ?? 0) + 1;
    if (!('error' in reply)) await this.learnFrom(wire, reply);
    return { wire, reply, violations };
  }

  /** Ids and cursors for later requests; SHOP connected again after a successful DELETE /connection. */
  private async learnFrom(wire: Wire, reply: Reply): Promise<void> {
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(reply.body) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    if (json && typeof json === 'object') {
      if (wire.family === 'POST transfers') this.remember('transfer', (json.transfer as Record<string, unknown> | undefined)?.id ?? json.id);
      if (wire.family === 'POST connect-sessions' && reply.status === 201) this.remember('session', json.id);
      if (wire.family === 'GET transfers') this.remember('cursor', json.nextCursor);
    }
    if (wire.method === 'DELETE' && reply.status >= 200 && reply.status < 300) {
      const rows = (await this.h.services.db.dataSource.query("SELECT status FROM bank_connections WHERE companyId = 'SHOP'")) as Array<{ status: string }>;
      if (rows[0]?.status !== 'connected') {
        await connectCompany(this.h, 'SHOP', { key: this.keys.shop });
        await this.learnTokens();
        this.before = undefined;
      }
    }
  }

  private check(wire: Wire, reply: Reply | { error: string }, before: Counts, after: Counts, logs: string[]): Violation[] {
    const out: Violation[] = [];
    const at = (status: number | string, what: string) => `[${wire.area}] ${status} ${what}`;
    if ('error' in reply) {
      out.push({ signature: at('-', `no response: ${reply.error}`), detail: `the connection failed: ${reply.error}` });
      return out;
    }
    const { status, headers, body } = reply;
    const type = String(headers['content-type'] ?? '(none)');
    let problem: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) problem = parsed as Record<string, unknown>;
    } catch {
      problem = undefined;
    }
    const slug = typeof problem?.type === 'string' ? problem.type.split('/').pop() : undefined;

    if (status >= 500) out.push({ signature: at(status, `server error: ${causeOf(logs) ?? slug ?? type}`), detail: `${status} on ${wire.family}` });

    const is2xx = status >= 200 && status < 300;
    if (wire.area !== 'browser' && !is2xx) {
      if (!/^application\/problem\+json\b/i.test(type)) {
        out.push({ signature: at(status, `not problem+json: ${type.split(';')[0]}`), detail: `content-type ${type}` });
      } else if (!problem || typeof problem.type !== 'string' || typeof problem.title !== 'string' || problem.status !== status) {
        out.push({ signature: at(status, `problem body wrong: status ${JSON.stringify(problem?.status)}`), detail: `problem body ${preview(body)}` });
      }
    }
    if (wire.area === 'browser' && !(status >= 200 && status < 400)) {
      if (!/^text\/html\b/i.test(type) || !body.includes('lang="ja"')) {
        out.push({ signature: at(status, `browser answer not a Japanese page: ${type.split(';')[0]}`), detail: `content-type ${type}` });
      }
    }

    for (const [name, secret] of this.secrets) {
      if (body.includes(secret)) out.push({ signature: at(status, `leaks the ${name.replace(/ [^ ]*…$/, '')}`), detail: `the body contains the ${name}` });
    }
    for (const sent of wire.sentSecrets) {
      let decoded = sent;
      try {
        decoded = decodeURIComponent(sent);
      } catch {
        decoded = sent;
      }
      // a value short or repetitive enough to occur in any page by chance proves nothing
      const telling = (v: string) => v.length >= 12 && new Set(v).size >= 6;
      if ((telling(sent) && body.includes(sent)) || (telling(decoded) && body.includes(decoded))) {
        out.push({ signature: at(status, 'echoes a state/code value it was sent'), detail: `the body contains ${preview(decoded, 60)}` });
      }
    }

    if (status >= 400 && status < 500 && !(slug && BANK_REFUSALS.has(slug))) {
      const changes: string[] = [];
      for (const t of TABLES) if (after.rows[t] !== before.rows[t]) changes.push(`${t} ${signed(after.rows[t] - before.rows[t])} rows`);
      if (after.bankTransfers !== before.bankTransfers) changes.push(`bank transfers ${signed(after.bankTransfers - before.bankTransfers)}`);
      if (after.tokenRequests !== before.tokenRequests) changes.push(`bank token requests ${signed(after.tokenRequests - before.tokenRequests)}`);
      for (const route of new Set([...Object.keys(before.apiCalls), ...Object.keys(after.apiCalls)])) {
        const d = (after.apiCalls[route] ?? 0) - (before.apiCalls[route] ?? 0);
        if (d !== 0 && !(slug && BANK_READS[slug]?.includes(route))) changes.push(`bank ${route} calls ${signed(d)}`);
      }
      if (changes.length > 0) {
        out.push({ signature: at(status, `rejected (${slug ?? type.split(';')[0]}) but changed state: ${changes.map((c) => c.replace(/[+-]\d+/, '±')).join(', ')}`), detail: changes.join(', ') });
      }
    }
    return out;
  }

  /**
   * Runs one property: every generated request (violations recorded, never stopping), then each distinct
   * cause replayed with fc.assert from the run that first showed it, shrunk to a minimal request.
   */
  async run(arbitrary: fc.Arbitrary<Spec>, numRuns: number, seed: number): Promise<string[]> {
    const findings = new Map<string, Finding>();
    let index = 0;
    const survey = await fc.check(
      fc.asyncProperty(arbitrary, async (spec) => {
        const run = index++;
        const outcome = await this.exchange(spec, 'generated');
        for (const v of outcome.violations) {
          const f = findings.get(v.signature) ?? { count: 0, firstRun: run, families: new Map<string, number>(), example: report(outcome, v, this.keyNames) };
          f.count++;
          f.families.set(outcome.wire.family, (f.families.get(outcome.wire.family) ?? 0) + 1);
          findings.set(v.signature, f);
        }
        return true;
      }),
      { numRuns, seed },
    );
    if (survey.failed) throw new Error(`the fuzz run itself crashed (seed ${seed}):\n${fc.defaultReportMessage(survey)}`);

    const reports: string[] = [];
    for (const [signature, f] of [...findings].slice(0, MAX_REPLAYS)) {
      let budget = SHRINK_BUDGET;
      const families = [...f.families].map(([k, n]) => `${k} ×${n}`).join(', ');
      try {
        await fc.assert(
          fc.asyncProperty(arbitrary, async (spec) => {
            if (budget-- <= 0) return true; // enough shrinking: keep the smallest failure found so far
            const outcome = await this.exchange(spec, 'replayed');
            const v = outcome.violations.find((x) => x.signature === signature);
            if (v) throw new Error(report(outcome, v, this.keyNames));
            return true;
          }),
          { seed, path: String(f.firstRun), numRuns: 20 },
        );
        reports.push(`✗ ${signature}\n  ${f.count} of ${numRuns} requests (${families}); not reproduced on replay (seed ${seed}, path "${f.firstRun}"). First seen:\n${indent(f.example)}`);
      } catch (err) {
        // fast-check puts the property's own error (the request and what came back) in `cause`
        const e = err as Error & { cause?: unknown };
        const shrunk = e.message.replace(/\n\s*Hint: .*$/s, '');
        const answer = e.cause instanceof Error ? e.cause.message : String(e.cause ?? '');
        reports.push(`✗ ${signature}\n  ${f.count} of ${numRuns} requests (${families}). Shrunk with fast-check:\n${indent(shrunk)}\n  The shrunk request and its answer:\n${indent(answer)}`);
      }
    }
    for (const [signature, f] of [...findings].slice(MAX_REPLAYS)) {
      reports.push(`✗ ${signature}\n  ${f.count} of ${numRuns} requests (not replayed). First seen:\n${indent(f.example)}`);
    }
    return reports;
  }
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const indent = (s: string) => s.replace(/^/gm, '    ');

/** The message of the error the service logged for a 5xx, with quoted values and numbers blanked so causes group. */
function causeOf(logs: string[]): string | undefined {
  for (const line of logs) {
    if (!line.includes('unhandled error')) continue;
    try {
      const entry = JSON.parse(line) as { err?: { message?: string } | string };
      const message = typeof entry.err === 'string' ? entry.err : entry.err?.message;
      if (message) return message.replace(/(["'`]).*?\1/g, '…').replace(/\d+/g, 'N').slice(0, 100);
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}

function report(o: Outcome, v: Violation, names: Map<string, string>): string {
  const answer =
    'error' in o.reply
      ? `no answer: ${o.reply.error}`
      : `${o.reply.status} ${String(o.reply.headers['content-type'] ?? '(no content-type)')} ${preview(o.reply.body, 400)}`;
  return `${describeWire(o.wire, names)}\n  → ${answer}\n  violation: ${v.signature} (${v.detail})`;
}

// ------------------------------------------------------------------------------------------ the suite

describe.each(DATABASES)('fuzzing every route on %s', (kind) => {
  let h: Harness | undefined;
  let fuzzer: Fuzzer;

  beforeAll(async () => {
    h = await startHarness(kind);
    const { key } = await connectCompany(h, 'SHOP');
    const revoked = await h.services.apiKeys.create('revoked', 'SHOP');
    await h.services.apiKeys.revoke(revoked.id);
    fuzzer = new Fuzzer(h, { shop: key, all: await h.apiKey(null), other: await h.apiKey('OTHER'), revoked: revoked.key }, BASE_SEED);
    await fuzzer.learnTokens();
  }, 120_000);

  afterAll(async () => {
    if (fuzzer) {
      const s = fuzzer.finish();
      fuzzSummaries[kind] = s;
      const classes = Object.entries(s.byClass)
        .sort()
        .map(([k, n]) => `${k}=${n}`)
        .join(' ');
      console.log(
        `[fuzz ${kind}] seed=${s.seed} requests=${s.requests} (generated ${s.generated}, shrinking ${s.replayed}) 5xx=${s.status5xx} no-response=${s.noResponse} by class [${classes}] ` +
          `violations=${Object.values(s.violations).reduce((a, b) => a + b, 0)} causes=${Object.keys(s.violations).length} time=${s.seconds}s`,
      );
      try {
        writeFileSync(join(tmpdir(), `gbi-fuzz-summary-${kind}.json`), JSON.stringify(s, null, 2));
      } catch {
        // the summary line above is enough
      }
    }
    agent.destroy();
    await h?.close();
  }, 60_000);

  test.each(PROPERTIES.map((p, i) => ({ ...p, i })))('$name', async ({ arbitrary, numRuns, i }) => {
    const reports = await fuzzer.run(arbitrary, numRuns, BASE_SEED + i);
    if (reports.length > 0) {
      throw new Error(`${reports.length} kind(s) of bad answer on ${kind} (seed ${BASE_SEED + i}; FUZZ_SEED=${BASE_SEED} replays the run):\n\n${reports.join('\n\n')}`);
    }
  }, 600_000);

  test('after all of it, once the poller has settled what was sent: no payout twice, none lost', async () => {
    const harness = h!;
    for (const wait of [130, 301, 3600]) {
      harness.clock.advanceSeconds(wait);
      await harness.services.poller.runOnce();
    }
    const figures = await expectMoneyInvariant(harness);
    console.log(`[fuzz ${kind}] money: ${JSON.stringify(figures)}`);
  });
});
