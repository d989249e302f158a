/**
 * fast-check arbitraries for requests.fuzz.test.ts: every /v1 route, the browser routes and unknown paths,
 * with mutated bodies, headers, path segments, query strings and cookies.
 *
 * A generated request is a `Spec`: plain data plus a few marker objects for what only exists at send time
 * (API keys, ids created earlier in the run, today's date on the harness clock, zengin-code entries) or
 * would print badly in a counterexample (a 200 kB string). `requests.fuzz.test.ts` resolves it to bytes.
 */
import * as fc from 'fast-check';

// ---------------------------------------------------------------- markers resolved at send time

/** A JSON number written exactly as given (`1e3`, `-0`, `1.5`, `2**53`…), which JSON.stringify cannot produce. */
export class RawNumber {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return `raw(${this.text})`;
  }
}

/** `times` copies of `unit`: a huge string that still prints as one short line in a counterexample. */
export class Repeat {
  constructor(
    readonly unit: string,
    readonly times: number,
    readonly prefix = '',
  ) {}
  value(): string {
    return this.prefix + this.unit.repeat(this.times);
  }
  [fc.toStringMethod](): string {
    return `${this.prefix ? `${JSON.stringify(this.prefix)} + ` : ''}repeat(${JSON.stringify(this.unit)} x ${this.times})`;
  }
}

/** A transfer body with `depth` nested arrays in an extra field: valid JSON, deeper than anything sane. */
export class Nest {
  constructor(readonly depth: number) {}
  value(): string {
    return `{"amount":1000,"a":${'['.repeat(this.depth)}${']'.repeat(this.depth)}}`;
  }
  [fc.toStringMethod](): string {
    return `nest(${this.depth})`;
  }
}

export type PoolName = 'transfer' | 'session' | 'cursor';

/** The n-th (mod size) value of a pool the run fills as it goes: transfer ids, connect session ids, list cursors. */
export class PoolRef {
  constructor(
    readonly pool: PoolName,
    readonly n: number,
  ) {}
  [fc.toStringMethod](): string {
    return `${this.pool}#${this.n}`;
  }
}

/**
 * Today in JST on the harness clock, plus `days`, as YYYY-MM-DD: calendar days (past, weekends and holidays
 * included), or with `businessDays` the n-th bank business day from today (0: the first one on or after it).
 */
export class DateRef {
  constructor(
    readonly days: number,
    readonly businessDays = false,
  ) {}
  [fc.toStringMethod](): string {
    return `today${this.days >= 0 ? '+' : ''}${this.days}${this.businessDays ? ' business days' : ''}`;
  }
}

/** The bank or branch code of the n-th (bank, branch) pair of zengin-code. */
export class ZenginRef {
  constructor(
    readonly part: 'bank' | 'branch',
    readonly n: number,
  ) {}
  [fc.toStringMethod](): string {
    return `zengin#${this.n}.${this.part}`;
  }
}

/** A header value given as text and sent as its UTF-8 bytes (non-ASCII Idempotency-Key…). */
export class Utf8Header {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return `utf8(${JSON.stringify(this.text)})`;
  }
}

export type Tree = null | boolean | number | string | RawNumber | Repeat | DateRef | ZenginRef | Tree[] | { [key: string]: Tree };

export type BodySpec =
  /** serialised by `jsonText` */
  | { json: Tree }
  /** sent as UTF-8 */
  | { text: string | Repeat | Nest }
  /** sent as is (invalid UTF-8…) */
  | { bytes: number[] };

/** symbolic keys are replaced by the harness's; `header` is sent as the whole Authorization value ({shop} → the key) */
export type AuthSpec = 'shop' | 'all' | 'other' | 'revoked' | 'none' | { header: string };

export type PathPart = string | Repeat | PoolRef;
export type QueryPart = string | Repeat | [string, PoolRef];
/** an array is sent as that many header lines */
export type HeaderValue = string | Utf8Header | Repeat | string[];

/** The bank's redirect back with a *real* state of a fresh session, always broken in one way so no code is exchanged. */
export interface CallbackSpec {
  breakWith: 'no-cookie' | 'wrong-cookie' | 'malformed-cookie' | 'other-company' | 'error-param' | 'no-code';
  companySegment: string;
  code?: string;
  error?: string;
  malformedCookie: string;
  extraQuery: string[];
  extraCookies: string[];
}

export interface Spec {
  family: string;
  method: string;
  path: PathPart[];
  query?: QueryPart[];
  auth?: AuthSpec;
  headers?: Record<string, HeaderValue>;
  body?: BodySpec;
  /** really compress the body with the declared Content-Encoding (otherwise the body is sent as is) */
  compress?: boolean;
  /** Transfer-Encoding: chunked instead of Content-Length */
  chunked?: boolean;
  callback?: CallbackSpec;
}

// ---------------------------------------------------------------- JSON text

export interface TreeResolver {
  date(days: number): string;
  businessDay(n: number): string;
  zengin(ref: ZenginRef): string;
}

export function jsonText(t: Tree, r: TreeResolver): string {
  if (t instanceof RawNumber) return t.text;
  if (t instanceof Repeat) return JSON.stringify(t.value());
  if (t instanceof DateRef) return JSON.stringify(t.businessDays ? r.businessDay(t.days) : r.date(t.days));
  if (t instanceof ZenginRef) return JSON.stringify(r.zengin(t));
  if (Array.isArray(t)) return `[${t.map((x) => jsonText(x, r)).join(',')}]`;
  if (t !== null && typeof t === 'object') {
    return `{${Object.entries(t)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v, r)}`)
      .join(',')}}`;
  }
  return JSON.stringify(t) ?? 'null';
}

// ---------------------------------------------------------------- small pieces

const charOf = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
/** printable ASCII without space */
const visible = charOf(0x21, 0x7e);
/** printable ASCII with space */
const printable = charOf(0x20, 0x7e);
/** what may stand raw in a path segment: visible ASCII except / ? (Node itself answers 400 to any byte ≥ 0x7f) */
const pathChar = visible.filter((c) => c !== '/' && c !== '?');

const weighted = <T>(...entries: Array<[number, fc.Arbitrary<T>]>): fc.Arbitrary<T> =>
  fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));

/** Percent escapes that do not decode: truncated, non-hex, overlong, lone surrogate, invalid bytes. */
export const malformedEscape = fc.constantFrom('%E0%A4%A', '%zz', '%', '%%', '%2', '%E0%A4', '%C3%28', '%ED%A0%80', '%F8%88%80%80%80', '%C0%AF', '%FF', '%80', '%u0041');
const oddEscape = fc.constantFrom('%00', '%2F', '%2e%2e', '%2E', '%20', '%F0%9F%98%80', 'SH%4FP', '%53%48%4F%50', '%EF%BC%B3%EF%BC%A8%EF%BC%AF%EF%BC%B0', '%0A', '%0D%0A', '%3Cscript%3E', '%25', '%2525zz');
const rawOdd = fc.constantFrom('..', '.', '~', "'", '+', '{x}', '|', '"', '<b>', '^', '`', '\\', ';', ',', ':', '@', '$', '!', '*', '(', ')', '=', '&', '#', '#frag', '[]');
const unicodeSegment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map(encodeURIComponent);

/** A path segment that is anything but a plain id. */
export const weirdSegment: fc.Arbitrary<PathPart> = weighted<PathPart>(
  [4, malformedEscape],
  [2, oddEscape],
  [2, rawOdd],
  [2, unicodeSegment],
  [1, fc.integer({ min: 65, max: 5000 }).map((n) => new Repeat('A', n))],
  [1, fc.integer({ min: 20, max: 500 }).map((n) => new Repeat('%E3%81%82', n))],
  [2, fc.tuple(fc.constantFrom('SHOP', 'x', ''), malformedEscape, fc.constantFrom('', 'SHOP', '1')).map(([a, b, c]) => a + b + c)],
  [2, fc.string({ unit: pathChar, minLength: 1, maxLength: 30 })],
);

const companyId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
export const companySegment: fc.Arbitrary<PathPart> = weighted<PathPart>(
  [16, fc.constant('SHOP')],
  [2, fc.constant('OTHER')],
  [1, fc.constantFrom('shop', 'SHOP ', 'SH%4FP', '%53HOP')],
  [2, companyId],
  [4, weirdSegment],
);
const transferSegment = weighted<PathPart>(
  [6, fc.nat().map((n) => new PoolRef('transfer', n))],
  [2, fc.uuid()],
  [1, fc.uuid().map((u) => u.toUpperCase())],
  [1, fc.constantFrom('00000000-0000-0000-0000-000000000000', 'not-a-uuid', 'fee-quote', '1', '-1')],
  [1, fc.tuple(fc.uuid(), fc.constantFrom('x', '%00', '%zz', '.json', '%20')).map(([u, s]) => u + s)],
  [3, weirdSegment],
);
const accountSegment = weighted<PathPart>(
  [5, fc.constantFrom('101011234567', '101027654321')],
  [2, fc.constantFrom('302010013543', '999999999999', 'abc', '10101123456', '1010112345678901234567890123456')],
  [1, fc.stringMatching(/^[0-9A-Za-z]{12,29}$/)],
  [3, weirdSegment],
);
export const sessionSegment = weighted<PathPart>(
  [5, fc.nat().map((n) => new PoolRef('session', n))],
  [2, fc.uuid()],
  [1, fc.constantFrom('00000000-0000-4000-8000-000000000000', 'not-a-uuid', '')],
  [1, fc.uuid().map((u) => u.toUpperCase())],
  [3, weirdSegment],
);

// ---------------------------------------------------------------- headers

export const authSpec: fc.Arbitrary<AuthSpec> = weighted<AuthSpec>(
  [16, fc.constant('shop' as const)],
  [4, fc.constant('all' as const)],
  [2, fc.constant('other' as const)],
  [1, fc.constant('revoked' as const)],
  [2, fc.constant('none' as const)],
  [
    2,
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'bearer {shop}',
      'BEARER {shop}',
      'Basic dXNlcjpwYXNz',
      'Bearer {shop}x',
      'Bearer  {shop}',
      'Bearer\t{shop}',
      '{shop}',
      'Bearer gbi_',
      'Bearer gbi_000000000000000000000000000000000000000000',
      'Bearer {shop}, Bearer {all}',
      'Bearer {shop}%00',
      'Token {shop}',
    ).map((header) => ({ header })),
  ],
  [1, fc.integer({ min: 201, max: 3000 }).map((n) => ({ header: `Bearer ${'A'.repeat(n)}` }))],
  [1, fc.string({ unit: printable, maxLength: 60 }).map((header) => ({ header }))],
);

export const idempotencyKey: fc.Arbitrary<HeaderValue | undefined> = weighted<HeaderValue | undefined>(
  [10, fc.uuid().map((u) => `fz-${u}`)],
  [3, fc.string({ unit: visible, minLength: 1, maxLength: 3 })],
  [1, fc.constantFrom('k'.repeat(128), 'k'.repeat(129), 'x'.repeat(1000))],
  [
    2,
    fc.constantFrom<HeaderValue>(
      '',
      ' ',
      'a b',
      '\tkey',
      'key ',
      ' key',
      'clé',
      new Utf8Header('キー-0001'),
      new Utf8Header('🔑'),
      new Utf8Header('ключ'),
      ['fz-dup-1', 'fz-dup-2'],
      ['fz-dup-1', 'fz-dup-1'],
      'ÿÿÿ',
      '"quoted"',
      'null',
      'undefined',
    ),
  ],
  [1, fc.string({ unit: printable, minLength: 1, maxLength: 140 })],
  [2, fc.constant(undefined)],
);

export const contentType: fc.Arbitrary<string | undefined> = weighted<string | undefined>(
  [14, fc.constant('application/json')],
  [
    5,
    fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=UTF-8',
      'application/json;charset=utf8',
      'application/json; charset=latin1',
      'application/json; charset=iso-8859-1',
      'application/json; charset=utf-16',
      'application/json; charset=utf-16le',
      'application/json; charset=shift_jis',
      'application/json; charset=bogus',
      'application/json; charset=',
      'application/json; charset="utf-8"',
      'APPLICATION/JSON',
      'application/problem+json',
      'application/merge-patch+json',
      'application/vnd.api+json',
      'application/json, text/plain',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '*/*',
      ';;;',
      'json',
      '',
    ),
  ],
  [2, fc.constant(undefined)],
);

export const contentEncoding: fc.Arbitrary<string | undefined> = weighted<string | undefined>(
  [16, fc.constant(undefined)],
  [5, fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'GZIP', 'x-gzip', 'compress', 'zstd', 'garbage', 'gzip, deflate', 'identity, gzip', '')],
);

export const cookieHeader: fc.Arbitrary<HeaderValue | undefined> = weighted<HeaderValue | undefined>(
  [6, fc.constant(undefined)],
  [2, fc.stringMatching(/^[A-Za-z0-9_-]{20,43}$/).map((v) => `gbi_connect=${v}`)],
  [
    4,
    fc.constantFrom(
      'gbi_connect=%E0%A4%A',
      'gbi_connect=%',
      'gbi_connect=%zz',
      'gbi_connect=%ED%A0%80',
      'a=%E0%A4%A; gbi_connect=x',
      'gbi_connect=x; gbi_connect=%E0%A4%A',
      'gbi_connect=',
      'gbi_connect',
      '=gbi_connect',
      'gbi_connect="quoted"',
      'gbi_connect=a=b=c',
      ';;;',
      ' ; gbi_connect = x ; ',
      'GBI_CONNECT=x',
      'gbi_connect=%E3%81%82',
    ),
  ],
  [1, fc.integer({ min: 100, max: 5000 }).map((n) => new Repeat('c', n, 'gbi_connect='))],
  [1, fc.integer({ min: 2, max: 80 }).map((n) => Array.from({ length: n }, (_, i) => `c${i}=v${i}`).join('; ') + '; gbi_connect=x')],
  [1, fc.string({ unit: printable, maxLength: 60 })],
);

/** Headers every request may carry besides its own. */
const noise = fc.record(
  {
    'x-request-id': fc.oneof(fc.constantFrom('fuzz-request-0001', 'short', '../../etc', 'x'.repeat(65)), fc.string({ unit: printable, maxLength: 30 })),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/problem+json', 'image/png', ''),
    'x-forwarded-for': fc.constantFrom('203.0.113.9', 'garbage', '127.0.0.1, 10.0.0.1'),
    'x-forwarded-proto': fc.constantFrom('https', 'gopher', ''),
    'x-forwarded-host': fc.constantFrom('evil.example', 'recore.example', '%zz'),
    host: fc.constantFrom('evil.example', 'localhost:3000', '[::1]', 'a'.repeat(300)),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------- bodies

const rawNumber = fc
  .constantFrom('1e3', '1E3', '12e2', '-0', '0', '0.0', '1.0', '1.5', '1000.5', '-1', '-1000', '1e-7', '1e0', '9007199254740992', '9007199254740993', '1e400', '-1e400', '100000000000000000000000000001')
  .map((t) => new RawNumber(t));

/** What replaces a field: wrong types, nested nulls, odd numbers, huge or odd strings, random JSON. */
export const weirdValue: fc.Arbitrary<Tree> = weighted<Tree>(
  [4, fc.constantFrom<Tree>(null, true, false, 0, -1, '', ' ', '1,000', '1e3', '1000', '０００５', 'null', [], {}, [null], { a: null }, { amount: null }, { beneficiary: null }, [1000])],
  [4, rawNumber],
  [2, fc.constantFrom<Tree>(2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 0.1 + 0.2)],
  [2, fc.string({ maxLength: 40 })],
  [2, fc.string({ unit: 'grapheme', maxLength: 40 })],
  [1, fc.string({ unit: 'binary', maxLength: 20 })],
  [1, fc.constantFrom<Tree>('\ud800', '\udfff', 'a\u0000b', '\u202e', '\ufeff', '<script>alert(1)</script>', "' OR 1=1 --", '${7*7}', '%E0%A4%A')],
  [1, fc.integer({ min: 70, max: 120 }).map((k) => new Repeat('ア', k * 1000))],
  [1, fc.integer({ min: 65, max: 3000 }).map((n) => new Repeat('a', n))],
  [2, fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Tree>],
);

const legibleNames = fc.constantFrom(
  'ヤマダ タロウ',
  'やまだ はなこ',
  'ｶ)ﾉﾍﾞｽﾄ',
  '株式会社ノベスト',
  'ノベスト株式会社',
  'カブシキガイシャ ノベスト',
  'YAMADA TARO',
  'yamada taro',
  'スズキ イチロー',
  'キョウト ジロウ',
  'ﾔﾏﾀﾞ ﾀﾛｳ',
  'ヴァイオリン',
  '（株）テスト',
  '㈱テスト',
  'テスト　ショウジ',
  'ア\u3099',
);
const kanaUnit = fc.constantFrom(...'アイウエオカキクケコガギグゲゴサシスセソザジズゼゾタチツテトダヂヅデドナニヌネノハヒフヘホバビブベボパピプペポマミムメモヤユヨラリルレロワヲンァィゥェォャュョッヴー　 ・あいうえおがぱゃっｱｲｳｧﾞﾟAz0()-./,'.split(''));
const beneficiaryName: fc.Arbitrary<Tree> = weighted<Tree>(
  [8, legibleNames],
  [3, fc.string({ unit: kanaUnit, minLength: 1, maxLength: 60 })],
  [2, fc.string({ unit: 'grapheme', maxLength: 30 })],
  [1, fc.string({ unit: 'binary', maxLength: 30 })],
  [1, fc.constantFrom<Tree>('山田太郎', 'ﾔﾏﾀﾞ👍', '&', '', ' ', '\u0000', 'A'.repeat(49), 'ア'.repeat(49), '\ud800', 'ー'.repeat(5), '株式会社', 'カ)', '(', 'ｶﾞ'.repeat(25))],
);

const bankAndBranch: fc.Arbitrary<[Tree, Tree]> = weighted<[Tree, Tree]>(
  [4, fc.constantFrom<[Tree, Tree]>(['0005', '001'], ['0310', '101'], ['0001', '001'], ['0009', '001'], ['0033', '001'])],
  [3, fc.nat().map((n): [Tree, Tree] => [new ZenginRef('bank', n), new ZenginRef('branch', n)])],
  [1, fc.tuple(fc.stringMatching(/^\d{4}$/), fc.stringMatching(/^\d{3}$/))],
);

const optional = <T>(weightAbsent: number, weightPresent: number, arb: fc.Arbitrary<T>) =>
  weighted<T | undefined>([weightAbsent, fc.constant(undefined)], [weightPresent, arb]);

const beneficiary: fc.Arbitrary<Tree> = fc
  .tuple(bankAndBranch, fc.constantFrom('ordinary', 'current', 'savings', 'other'), fc.stringMatching(/^\d{1,7}$/), beneficiaryName)
  .map(([[bankCode, branchCode], accountType, accountNumber, name]) => ({ bankCode, branchCode, accountType, accountNumber, name }));

const validishTransfer: fc.Arbitrary<{ [key: string]: Tree }> = fc
  .tuple(
    optional(8, 3, weighted<Tree>([3, fc.constantFrom('101011234567', '101027654321')], [1, fc.constantFrom('302010013543', 'abc', '1010112345678', '999999999999')])),
    weighted<Tree>(
      [10, fc.integer({ min: 1, max: 30_000 })],
      [1, fc.integer({ min: 1, max: 5_000_000 })],
      [1, fc.constantFrom(5_000_000, 5_000_001, 999_999_999_999, 1_000_000_000_000)],
      [1, rawNumber],
    ),
    beneficiary,
    optional(
      6,
      3,
      weighted<Tree>(
        // a valid date: a business day
        [3, fc.integer({ min: 0, max: 20 }).map((n) => new DateRef(n, true))],
        // any day: past, weekends and holidays too (refused unless a holidayRule moves them)
        [2, fc.integer({ min: -3, max: 30 }).map((d) => new DateRef(d))],
        [1, fc.constantFrom('2026-02-30', '2026-1-1', '20261124', '9999-12-31', '0000-01-01', '2026-11-24T00:00:00Z', '', '2026-11-24 ')],
        // not bank business days: Saturday, Sunday, 成人の日, 12/31, 1/1, 1/2
        [1, fc.constantFrom('2026-11-28', '2026-11-29', '2027-01-11', '2026-12-31', '2027-01-01', '2027-01-02')],
      ),
    ),
    optional(6, 2, weighted<Tree>([4, fc.constantFrom('reject', 'next_business_day', 'previous_business_day')], [1, fc.constantFrom<Tree>('', 'NEXT_BUSINESS_DAY', 'next', '1', 1, null)])),
    optional(6, 2, weighted<Tree>([2, fc.constantFrom('BUY-0001', 'ｶｲﾄﾘ', 'かいとり', 'ABCDEFGHIJKLMNOPQRSTU', '', '   ', '山', 'RC0000')], [1, fc.string({ maxLength: 25 })])),
    optional(4, 3, weighted<Tree>([3, fc.stringMatching(/^[A-Z0-9-]{1,20}$/)], [1, fc.string({ maxLength: 70 })], [1, fc.string({ unit: 'grapheme', maxLength: 70 })])),
  )
  .map(([accountId, amount, beneficiary, designatedDate, holidayRule, ediInfo, reference]) => {
    const body: { [key: string]: Tree } = { amount, beneficiary };
    if (accountId !== undefined) body.accountId = accountId;
    if (designatedDate !== undefined) body.designatedDate = designatedDate;
    if (holidayRule !== undefined) body.holidayRule = holidayRule;
    if (ediInfo !== undefined) body.ediInfo = ediInfo;
    if (reference !== undefined) body.reference = reference;
    return body;
  });

type Mutation = { op: 'set'; at: string[]; value: Tree } | { op: 'delete'; at: string[] } | { op: 'add'; at: string[]; key: string; value: Tree };

const fieldPath = fc.constantFrom<string[]>(
  [],
  ['amount'],
  ['beneficiary'],
  ['beneficiary', 'bankCode'],
  ['beneficiary', 'branchCode'],
  ['beneficiary', 'accountType'],
  ['beneficiary', 'accountNumber'],
  ['beneficiary', 'name'],
  ['accountId'],
  ['designatedDate'],
  ['holidayRule'],
  ['ediInfo'],
  ['reference'],
);
const extraKey = weighted<string>([3, fc.constantFrom('priority', '__proto__', 'constructor', 'Amount', 'amount ', 'toString', 'returnUrl', '', 'beneficiary.name')], [1, fc.string({ maxLength: 12 })]);
const mutation: fc.Arbitrary<Mutation> = weighted<Mutation>(
  [5, fc.record({ op: fc.constant('set' as const), at: fieldPath.filter((p) => p.length > 0), value: weirdValue })],
  [2, fc.record({ op: fc.constant('delete' as const), at: fieldPath.filter((p) => p.length > 0) })],
  [2, fc.record({ op: fc.constant('add' as const), at: fc.constantFrom<string[]>([], ['beneficiary']), key: extraKey, value: weirdValue })],
);

const isObject = (t: Tree | undefined): t is { [key: string]: Tree } =>
  t !== null && typeof t === 'object' && !Array.isArray(t) && !(t instanceof RawNumber) && !(t instanceof Repeat) && !(t instanceof DateRef) && !(t instanceof ZenginRef);

/** Applies mutations to a copy (marker objects are immutable and shared). */
function mutate(body: { [key: string]: Tree }, mutations: Mutation[]): Tree {
  const copy = (t: Tree): Tree => (isObject(t) ? Object.fromEntries(Object.entries(t).map(([k, v]) => [k, copy(v)])) : Array.isArray(t) ? t.map(copy) : t);
  const root = copy(body) as { [key: string]: Tree };
  for (const m of mutations) {
    const parentPath = m.op === 'add' ? m.at : m.at.slice(0, -1);
    let parent: Tree = root;
    for (const k of parentPath) parent = isObject(parent) ? parent[k] : null;
    if (!isObject(parent)) continue;
    // values are copied too: a constant of an arbitrary must never be changed by a later mutation
    if (m.op === 'set') parent[m.at[m.at.length - 1]] = copy(m.value);
    else if (m.op === 'delete') delete parent[m.at[m.at.length - 1]];
    else Object.defineProperty(parent, m.key, { value: copy(m.value), enumerable: true, writable: true, configurable: true });
  }
  return root;
}

/** A transfer body: mostly valid, with 1–3 mutated fields 40 % of the time. */
export const transferTree: fc.Arbitrary<Tree> = fc
  .tuple(validishTransfer, weighted<Mutation[]>([3, fc.constant([])], [2, fc.array(mutation, { minLength: 1, maxLength: 3 })]))
  .map(([body, mutations]) => mutate(body, mutations));

const nonJson = fc.constantFrom(
  '',
  '{',
  '}',
  'null',
  '[]',
  '"x"',
  '1',
  'true',
  'amount=1000&beneficiary=x',
  '{"amount":1000,}',
  "{'amount':1000}",
  '\ufeff{"amount":1000}',
  '{"amount":1e999}',
  '{"amount":1000}{"amount":1000}',
  '{"amount":1000} trailing',
  '{"amount":NaN}',
  '{"amount":Infinity}',
  '{"amount":0x10}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  'undefined',
  ' ',
  '\n',
  '<xml/>',
);

/** Any body at all: mostly transfer-shaped JSON, else random JSON, non-JSON, deep nesting, invalid UTF-8, huge. */
export const anyBody = (main: fc.Arbitrary<Tree>, mainWeight = 14): fc.Arbitrary<BodySpec> =>
  weighted<BodySpec>(
    [mainWeight, main.map((json) => ({ json }))],
    [2, fc.jsonValue({ maxDepth: 4 }).map((json) => ({ json: json as Tree }))],
    [3, nonJson.map((text) => ({ text }))],
    [1, fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ text }))],
    [1, fc.integer({ min: 100, max: 20_000 }).map((n) => ({ text: new Repeat('[', n) }))],
    [1, fc.integer({ min: 100, max: 20_000 }).map((n) => ({ text: new Nest(n) }))],
    [1, fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({ bytes: [...b] }))],
    [1, fc.constantFrom<BodySpec>({ bytes: [0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00] }, { bytes: [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d] }, { bytes: [0x1f, 0x8b, 0x08, 0x00] })],
    [1, fc.integer({ min: 66, max: 300 }).map((k) => ({ text: new Repeat('x', k * 1024) }))],
  );

/** `{ returnUrl? }` and worse. */
const sessionTree: fc.Arbitrary<Tree> = weighted<Tree>(
  [4, fc.constant({})],
  [2, fc.constantFrom<Tree>({ returnUrl: 'https://recore.example/settings/bank' }, { returnUrl: 'https://recore.example' }, { returnUrl: 'https://recore.example/a?b=c#d' })],
  [
    3,
    fc.constantFrom<Tree>(
      { returnUrl: 'https://evil.example/phish' },
      { returnUrl: 'javascript:alert(1)' },
      { returnUrl: 'https://recore.example@evil.example/' },
      { returnUrl: '//evil.example' },
      { returnUrl: 'http://recore.example/' },
      { returnUrl: '' },
      { returnUrl: null },
      { returnUrl: 'https://recore.example/%E0%A4%A' },
      { returnUrl: 'https://RECORE.example/' },
      { extra: 1 },
      [],
    ),
  ],
  [1, fc.integer({ min: 2000, max: 3000 }).map((n): Tree => ({ returnUrl: new Repeat('a', n, 'https://recore.example/') }))],
  [2, weirdValue.map((v) => ({ returnUrl: v }))],
  [1, fc.webUrl().map((returnUrl) => ({ returnUrl }))],
);

// ---------------------------------------------------------------- query strings

const isoDateTime = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const badDate = fc.constantFrom(
  '2026-13-45T00:00:00Z',
  '2026-11-24',
  'now',
  'yesterday',
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:00:00%2B14:00',
  '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999-14:00',
  '2026-11-24T10:00:00%2B09:00',
  '2026-11-24T10:00:00+09:00',
  '2026-11-24T10:00:00',
  '2026-02-30T00:00:00Z',
  '1e9',
  '-1',
  '',
  '%zz',
  '%E0%A4%A',
);
const cursorJson = (at: unknown, id: unknown) => Buffer.from(JSON.stringify({ at, id })).toString('base64url');
const cursorValue = weighted<string>(
  [2, fc.constantFrom('', 'abc', 'eyJ9', 'x'.repeat(201), '%zz', '%E0%A4%A', 'null', 'W10', 'bnVsbA', 'e30', '!!!!')],
  [1, fc.base64String({ maxLength: 60 }).map(encodeURIComponent)],
  [
    3,
    fc
      .tuple(
        fc.constantFrom<unknown>('2026-11-24T01:00:00.000Z', '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '0001-01-01T00:00:00Z', '1000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z', 8.64e15, -1, 0, 'abc', null, [], {}),
        fc.constantFrom<unknown>('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '', 'x'.repeat(140), "' OR 1=1 --", 1, null, ['a']),
      )
      .map(([at, id]) => cursorJson(at, id)),
  ],
);
const listParam: fc.Arbitrary<QueryPart> = weighted<QueryPart>(
  [3, fc.constantFrom('pending', 'unknown', 'submitted', 'scheduled', 'processing', 'completed', 'failed', 'cancelled', 'returning', 'returned', 'SUBMITTED', 'bogus', '', '%zz').map((v) => `status=${v}`)],
  [2, fc.tuple(fc.constantFrom('from', 'to'), weighted<string>([1, isoDateTime.map(encodeURIComponent)], [2, badDate])).map(([k, v]) => `${k}=${v}`)],
  [2, fc.constantFrom('-1', 'abc', '1e9', '0', '1', '2', '100', '101', '', '1.5', '%205', '0x10', 'Infinity', 'NaN', '1e2', '007', '9007199254740993').map((v) => `limit=${v}`)],
  [3, fc.nat().map((n): QueryPart => ['cursor', new PoolRef('cursor', n)])],
  [2, cursorValue.map((v) => `cursor=${v}`)],
  [2, fc.oneof(fc.uuid().map((u) => `fz-${u}`), fc.string({ unit: visible, minLength: 1, maxLength: 3 }).map(encodeURIComponent), fc.constantFrom('k'.repeat(129), 'a%20b', '%E3%82%AD', '%zz')).map((v) => `idempotencyKey=${v}`)],
  [
    2,
    fc.constantFrom(
      'status[]=submitted',
      'a[]=1&a[]=2',
      'status=submitted&status=failed',
      'limit=1&limit=2',
      'from[gte]=2026-01-01T00:00:00Z',
      'foo=bar',
      '=',
      '&',
      '&&&',
      'limit',
      '__proto__=1',
      'constructor=1',
      'hasOwnProperty=1',
      '%zz=1',
      'status=%E0%A4%A',
      'cursor[]=x',
      'idempotencyKey=a&idempotencyKey=b',
    ),
  ],
  [1, fc.integer({ min: 500, max: 3000 }).map((n) => new Repeat('x', n))],
);
const listQuery = fc.array(listParam, { maxLength: 5 });

// ---------------------------------------------------------------- route families

/**
 * One route family with everything around it. Half the requests are `noisy` (auth, headers, framing all
 * generated); the other half are clean around their subject (path, query, body): SHOP's key, plain JSON, a
 * fresh Idempotency-Key, so that valid requests and the body checks behind the header checks are reached too.
 * A shrunk counterexample is clean unless the noise is the cause.
 */
const withCommon = (
  family: string,
  method: string,
  path: fc.Arbitrary<PathPart[]>,
  more: {
    query?: fc.Arbitrary<QueryPart[] | undefined>;
    body?: fc.Arbitrary<BodySpec | undefined>;
    idempotency?: boolean;
    cookie?: boolean;
  } = {},
): fc.Arbitrary<Spec> =>
  fc
    .record({
      path,
      query: more.query ?? optional(12, 1, listQuery),
      body: more.body ?? optional(10, 1, anyBody(weirdValue)),
      noisy: fc.boolean(),
      auth: authSpec,
      contentType,
      contentEncoding,
      compress: weighted<boolean>([4, fc.constant(false)], [1, fc.constant(true)]),
      chunked: weighted<boolean>([6, fc.constant(false)], [1, fc.constant(true)]),
      idem: more.idempotency ? idempotencyKey : fc.constant(undefined),
      freshKey: fc.uuid(),
      cookie: more.cookie ? cookieHeader : optional(12, 1, cookieHeader),
      noise,
    })
    .map(({ path, query, body, noisy, auth, contentType, contentEncoding, compress, chunked, idem, freshKey, cookie, noise }) => {
      const headers: Record<string, HeaderValue> = noisy ? { ...(noise as Record<string, HeaderValue>) } : {};
      const spec: Spec = { family, method, path, auth: noisy ? auth : 'shop', headers };
      if (query !== undefined && query.length > 0) spec.query = query;
      if (more.idempotency) {
        const key = noisy ? idem : `fz-${freshKey}`;
        if (key !== undefined) headers['idempotency-key'] = key;
      }
      if (noisy && cookie !== undefined) headers.cookie = cookie;
      if (body !== undefined) {
        spec.body = body;
        if (!noisy) headers['content-type'] = 'application/json';
        else {
          if (contentType !== undefined) headers['content-type'] = contentType;
          if (contentEncoding !== undefined) {
            headers['content-encoding'] = contentEncoding;
            if (compress) spec.compress = true;
          }
          if (chunked) spec.chunked = true;
        }
      }
      return spec;
    });

const company = (...rest: PathPart[]) => companySegment.map((c): PathPart[] => ['/v1/companies/', c, ...rest]);
const companyAnd = (arb: fc.Arbitrary<PathPart>, before: string, after = '') =>
  fc.tuple(companySegment, arb).map(([c, x]): PathPart[] => ['/v1/companies/', c, before, x, ...(after ? [after] : [])]);
const trailingSlash = fc.constantFrom('', '', '', '/');

const transferBody = optional(1, 20, anyBody(transferTree, 30));

/** Every /v1 route, each family as often as it is interesting. */
export const v1Request: fc.Arbitrary<Spec> = weighted<Spec>(
  [3, withCommon('POST connect-sessions', 'POST', fc.tuple(company('/connect-sessions'), trailingSlash).map(([p, s]) => [...p, s]), { body: optional(2, 5, anyBody(sessionTree)) })],
  [3, withCommon('GET connection', 'GET', company('/connection'))],
  [1, withCommon('DELETE connection', 'DELETE', company('/connection'))],
  [3, withCommon('GET accounts', 'GET', company('/accounts'))],
  [4, withCommon('GET balance', 'GET', companyAnd(accountSegment, '/accounts/', '/balance'))],
  [5, withCommon('POST fee-quote', 'POST', company('/transfers/fee-quote'), { body: transferBody })],
  [10, withCommon('POST transfers', 'POST', fc.tuple(company('/transfers'), trailingSlash).map(([p, s]) => [...p, s]), { body: transferBody, idempotency: true })],
  [5, withCommon('GET transfers', 'GET', company('/transfers'), { query: optional(1, 8, listQuery) })],
  [4, withCommon('GET transfer', 'GET', companyAnd(transferSegment, '/transfers/'))],
  [3, withCommon('POST cancel', 'POST', companyAnd(transferSegment, '/transfers/', '/cancel'))],
);

/** Transfers and fee quotes only, with the body and its framing as the main subject. */
export const transferRequest: fc.Arbitrary<Spec> = weighted<Spec>(
  [3, withCommon('POST fee-quote', 'POST', fc.constant<PathPart[]>(['/v1/companies/SHOP/transfers/fee-quote']), { body: transferBody })],
  [7, withCommon('POST transfers', 'POST', fc.constant<PathPart[]>(['/v1/companies/SHOP/transfers']), { body: transferBody, idempotency: true })],
  [1, withCommon('POST transfers', 'POST', company('/transfers'), { body: transferBody, idempotency: true })],
);

// ---------------------------------------------------------------- browser routes

const token = fc.stringMatching(/^[A-Za-z0-9_-]{16,43}$/);
const callbackValue = weighted<string>(
  [6, token],
  [1, fc.constantFrom('', '%zz', '%E0%A4%A', '%', 'a'.repeat(513), 'a'.repeat(257), '%00', '+', '%2B', '<script>')],
  [1, fc.string({ unit: visible, minLength: 1, maxLength: 20 }).map(encodeURIComponent)],
  [1, fc.integer({ min: 300, max: 3000 }).map((n) => 'z'.repeat(n))],
);
const callbackParam: fc.Arbitrary<string> = weighted<string>(
  [5, callbackValue.map((v) => `code=${v}`)],
  [5, callbackValue.map((v) => `state=${v}`)],
  [2, fc.constantFrom('access_denied', 'server_error', 'invalid_request', 'temporarily_unavailable', '', 'x'.repeat(65), '%E0%A4%A').map((v) => `error=${v}`)],
  [1, fc.constantFrom('error_description=%E3%81%82', 'code[]=a', 'state[]=b', 'state=a&state=b', 'code=a&code=b', 'foo=bar', '=', '&', 'iss=https%3A%2F%2Fevil.example', '__proto__=x')],
);

const refreshTokenRandom: fc.Arbitrary<Spec> = fc
  .tuple(companySegment, trailingSlash, fc.array(callbackParam, { maxLength: 5 }), cookieHeader, optional(6, 1, authSpec))
  .map(([c, slash, query, cookie, auth]) => {
    const spec: Spec = { family: 'GET /refresh_token (forged state)', method: 'GET', path: ['/refresh_token/', c, slash] };
    if (query.length > 0) spec.query = query;
    if (cookie !== undefined) spec.headers = { cookie };
    if (auth !== undefined) spec.auth = auth;
    return spec;
  });

const refreshTokenReal: fc.Arbitrary<Spec> = fc
  .record({
    breakWith: fc.constantFrom<CallbackSpec['breakWith']>('no-cookie', 'wrong-cookie', 'malformed-cookie', 'other-company', 'error-param', 'no-code'),
    companySegment: fc.oneof(fc.constantFrom('SHOP', 'OTHER', 'cback'), fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/).filter((s) => s !== 'CBACK')),
    code: optional(1, 4, token),
    error: optional(3, 1, fc.constantFrom('access_denied', 'server_error', 'x'.repeat(64), ' ', '%E3%81%82')),
    malformedCookie: fc.constantFrom('%E0%A4%A', '%', '%zz', '%ED%A0%80', '%C3%28'),
    extraQuery: fc.array(fc.constantFrom('foo=bar', 'state=dup', 'code=dup', 'error_description=x', 'iss=x'), { maxLength: 2 }),
    extraCookies: fc.array(fc.constantFrom('a=b', 'gbi_connect=other', 'theme=dark', 'x=%E0%A4%A'), { maxLength: 2 }),
  })
  .map((callback) => ({ family: 'GET /refresh_token (real state)', method: 'GET', path: [], callback }));

const connectLink: fc.Arbitrary<Spec> = fc
  .tuple(sessionSegment, trailingSlash, optional(6, 1, fc.array(callbackParam, { maxLength: 3 })), optional(3, 1, cookieHeader))
  .map(([s, slash, query, cookie]) => {
    const spec: Spec = { family: 'GET /connect/:sessionId', method: 'GET', path: ['/connect/', s, slash] };
    if (query && query.length > 0) spec.query = query;
    if (cookie !== undefined) spec.headers = { cookie };
    return spec;
  });

export const browserRequest: fc.Arbitrary<Spec> = weighted<Spec>([4, connectLink], [6, refreshTokenRandom], [3, refreshTokenReal]);

// ---------------------------------------------------------------- unknown paths, wrong methods

const knownish = fc.constantFrom<PathPart[]>(
  ['/'],
  ['/v1'],
  ['/v1/'],
  ['/v1/companies'],
  ['/v1/companies/'],
  ['/v1/companies/SHOP'],
  ['/v1/companies/SHOP/'],
  ['/v1/companies/SHOP/unknown'],
  ['/v1/companies/SHOP/transfers/fee-quote/x'],
  ['/v1/companies//transfers'],
  ['//v1//companies//SHOP//transfers'],
  ['/v1/companies/SHOP/transfers/', '%zz', '/cancel/x'],
  ['/V1/companies/SHOP/connection'],
  ['/v1x/companies/SHOP/connection'],
  ['/v2/companies/SHOP/transfers'],
  ['/v1/../healthz'],
  ['/connect'],
  ['/connect/'],
  ['/connect/a/b'],
  ['/refresh_token'],
  ['/refresh_token/'],
  ['/refresh_token/SHOP/extra'],
  ['/healthz'],
  ['/readyz'],
  ['/metrics'],
  ['/assets/connect.css'],
  ['/assets/../healthz'],
  ['/assets/%zz'],
  ['/%zz'],
  ['/%E0%A4%A'],
  ['/..'],
  ['/favicon.ico'],
  ['/.env'],
  ['/_sim/stats'],
  ['/ganb/api/auth/v1/token'],
  ['*'],
);
const randomPath = fc.array(weighted<PathPart>([3, fc.webSegment().filter((s) => s.length > 0)], [2, weirdSegment], [1, fc.constantFrom('v1', 'companies', 'SHOP', 'transfers', 'connect', 'refresh_token')]), { minLength: 1, maxLength: 5 }).map((segments) => segments.flatMap((s): PathPart[] => ['/', s]));
const otherMethod = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');
const wrongMethodOnKnown = fc.constantFrom<[string, PathPart[]]>(
  ['PUT', ['/v1/companies/SHOP/transfers']],
  ['PATCH', ['/v1/companies/SHOP/connection']],
  ['DELETE', ['/v1/companies/SHOP/transfers']],
  ['GET', ['/v1/companies/SHOP/connect-sessions']],
  ['POST', ['/v1/companies/SHOP/connection']],
  ['POST', ['/v1/companies/SHOP/accounts']],
  ['PUT', ['/v1/companies/SHOP/accounts/101011234567/balance']],
  ['GET', ['/v1/companies/SHOP/transfers/fee-quote']],
  ['DELETE', ['/v1/companies/SHOP/transfers/00000000-0000-4000-8000-000000000000']],
  ['GET', ['/v1/companies/SHOP/transfers/00000000-0000-4000-8000-000000000000/cancel']],
  ['POST', ['/connect/00000000-0000-4000-8000-000000000000']],
  ['DELETE', ['/refresh_token/SHOP']],
  ['PUT', ['/refresh_token/SHOP']],
  ['POST', ['/healthz']],
  ['DELETE', ['/metrics']],
);

/** The browser routes answer GET only: any other method is an unknown route, whatever the segment holds. */
const browserPathOtherMethod = fc.tuple(
  fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
  fc.constantFrom('/connect/', '/refresh_token/'),
  weighted<PathPart>([1, sessionSegment], [1, companySegment]),
);

export const unknownRequest: fc.Arbitrary<Spec> = weighted<Spec>(
  [4, fc.tuple(otherMethod, weighted<PathPart[]>([3, knownish], [3, randomPath])).chain(([method, path]) => withCommon('unknown path', method, fc.constant(path)))],
  [2, wrongMethodOnKnown.chain(([method, path]) => withCommon('wrong method', method, fc.constant(path)))],
  [1, browserPathOtherMethod.chain(([method, route, segment]) => withCommon('wrong method (browser path)', method, fc.constant<PathPart[]>([route, segment])))],
);
