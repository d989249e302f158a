/**
 * Normalises names for GMO Aozora's half-width 振込許容文字 fields (beneficiaryName, remitterName, ediInfo).
 * See the GMO API reference (gmo-aozora-api.md) §5.1 and §10. GMO rejects full-width names, and it turns small kana into
 * large kana itself, so we do the same before counting characters: the length limit must match the bank's count.
 */
import { toHankakuCase, toHankanaCase, toKatakanaCase } from 'encoding-japanese';

export type NormaliseResult = { ok: true; value: string } | { ok: false; reason: string; offending: string[] };

// ｦ, ｱ-ﾝ, ﾞ ﾟ, A-Z, 0-9, space and ( ) - . / , ｢ ｣ ¥. The half-width small kana (ｧ-ｯ) and ｰ are left out
// because we always convert them, so finding one here means a conversion went wrong.
const ALLOWED = /^[\uFF66\uFF71-\uFF9FA-Z0-9 ()\-./,\uFF62\uFF63\u00A5]*$/;

export function isTransferAllowedText(s: string): boolean {
  return ALLOWED.test(s);
}

// What encoding-japanese leaves alone: it keeps small kana small, has no half-width form for ヰヱヮヵヶヸヹ,
// ignores combining (semi-)voiced marks and the many dash look-alikes people paste in for the long vowel.
const EXTRA_MAP: Record<string, string> = {
  'ｧ': 'ｱ', 'ｨ': 'ｲ', 'ｩ': 'ｳ', 'ｪ': 'ｴ', 'ｫ': 'ｵ', 'ｬ': 'ﾔ', 'ｭ': 'ﾕ', 'ｮ': 'ﾖ', 'ｯ': 'ﾂ',
  'ヰ': 'ｲ', 'ヱ': 'ｴ', 'ヮ': 'ﾜ', 'ヵ': 'ｶ', 'ヶ': 'ｹ', 'ヸ': 'ｲﾞ', 'ヹ': 'ｴﾞ',
  '\u3099': 'ﾞ', '\u309A': 'ﾟ',
  'ｰ': '-', '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-',
  '\u2043': '-', '\u2212': '-', '\uFE63': '-',
  '￥': '¥',
};
const EXTRA_PATTERN = new RegExp(`[${Object.keys(EXTRA_MAP).join('')}]`, 'gu');

/**
 * Converts one grapheme, or returns it untouched when it has no allowed form. Keeping the original lets the
 * error name the character exactly as the user typed it, and lets kanji legal-entity words survive to be matched.
 */
function convertGrapheme(grapheme: string): string {
  const converted = toHankakuCase(toHankanaCase(toKatakanaCase(grapheme)))
    .replace(EXTRA_PATTERN, (c) => EXTRA_MAP[c])
    .replace(/[a-z]/g, (c) => c.toUpperCase());
  return isTransferAllowedText(converted) ? converted : grapheme;
}

const segmenter = new Intl.Segmenter('ja', { granularity: 'grapheme' });
const graphemes = (s: string): string[] => Array.from(segmenter.segment(s), (g) => g.segment);
const convert = (s: string): string => graphemes(s).map(convertGrapheme).join('');

/**
 * 全銀協 法人略語 (the Zengin convention for legal-entity words in 受取人名): the abbreviation is followed by ")"
 * when the word starts the name, preceded by "(" when it ends it, and wrapped in "( )" in the middle,
 * e.g. 株式会社ヤマダ → ｶ)ﾔﾏﾀﾞ, ヤマダ株式会社 → ﾔﾏﾀﾞ(ｶ. Only legal-entity words are listed, never words such
 * as 営業所 or 出張所, whose abbreviations depend on context. Readings use large kana, as the bank stores them.
 */
const LEGAL_ENTITIES: ReadonlyArray<{ words: string[]; reading: string; abbreviation: string }> = [
  { words: ['株式会社', '(株)', '㈱'], reading: 'カブシキガイシヤ', abbreviation: 'ｶ' },
  { words: ['有限会社', '(有)', '㈲'], reading: 'ユウゲンガイシヤ', abbreviation: 'ﾕ' },
  { words: ['合同会社'], reading: 'ゴウドウガイシヤ', abbreviation: 'ﾄﾞ' },
  { words: ['合名会社'], reading: 'ゴウメイガイシヤ', abbreviation: 'ﾒ' },
  { words: ['合資会社'], reading: 'ゴウシガイシヤ', abbreviation: 'ｼ' },
  { words: ['一般社団法人'], reading: 'イツパンシヤダンホウジン', abbreviation: 'ｼﾔ' },
  { words: ['一般財団法人'], reading: 'イツパンザイダンホウジン', abbreviation: 'ｻﾞｲ' },
  { words: ['公益社団法人'], reading: 'コウエキシヤダンホウジン', abbreviation: 'ｼﾔ' },
  { words: ['公益財団法人'], reading: 'コウエキザイダンホウジン', abbreviation: 'ｻﾞｲ' },
  { words: ['医療法人社団'], reading: 'イリヨウホウジンシヤダン', abbreviation: 'ｲ' },
  { words: ['医療法人'], reading: 'イリヨウホウジン', abbreviation: 'ｲ' },
  { words: ['社会福祉法人'], reading: 'シヤカイフクシホウジン', abbreviation: 'ﾌｸ' },
  { words: ['特定非営利活動法人'], reading: 'トクテイヒエイリカツドウホウジン', abbreviation: 'ﾄｸﾋ' },
  { words: ['学校法人'], reading: 'ガツコウホウジン', abbreviation: 'ｶﾞｸ' },
  { words: ['宗教法人'], reading: 'シユウキヨウホウジン', abbreviation: 'ｼﾕｳ' },
  { words: ['税理士法人'], reading: 'ゼイリシホウジン', abbreviation: 'ｾﾞｲ' },
  { words: ['弁護士法人'], reading: 'ベンゴシホウジン', abbreviation: 'ﾍﾞﾝ' },
  { words: ['監査法人'], reading: 'カンサホウジン', abbreviation: 'ｶﾝ' },
  { words: ['司法書士法人'], reading: 'シホウシヨシホウジン', abbreviation: 'ｼﾎｳ' },
  { words: ['行政書士法人'], reading: 'ギヨウセイシヨシホウジン', abbreviation: 'ｷﾞﾖｳ' },
  { words: ['社会保険労務士法人'], reading: 'シヤカイホケンロウムシホウジン', abbreviation: 'ﾛｳﾑ' },
];

// Matching runs on converted text, so each spelling is stored converted too: kanji stay as they are,
// （株） becomes (株), and a reading typed in hiragana, katakana or half-width kana all meet ｶﾌﾞｼｷｶﾞｲｼﾔ.
const ABBREVIATION_BY_SPELLING = new Map(
  LEGAL_ENTITIES.flatMap(({ words, reading, abbreviation }) =>
    [...words, reading].map((spelling) => [convert(spelling), abbreviation] as const),
  ),
);
// Longest first, so 医療法人社団 wins over 医療法人. Surrounding spaces go: the parenthesis separates the words.
const LEGAL_ENTITY_PATTERN = new RegExp(
  ` ?(${[...ABBREVIATION_BY_SPELLING.keys()]
    .sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[()]/g, '\\$&'))
    .join('|')}) ?`,
  'gu',
);

function abbreviateLegalEntities(name: string): string {
  return name.replace(LEGAL_ENTITY_PATTERN, (match, spelling: string, offset: number) => {
    const abbreviation = ABBREVIATION_BY_SPELLING.get(spelling);
    if (offset === 0) return `${abbreviation})`;
    if (offset + match.length === name.length) return `(${abbreviation}`;
    return `(${abbreviation})`;
  });
}

const fail = (reason: string, offending: string[] = []): NormaliseResult => ({ ok: false, reason, offending });

export function normaliseTransferName(
  input: string,
  opts: { maxLength: number; legalEntityAbbreviations?: boolean },
): NormaliseResult {
  let value = convert(input.replace(/\s+/gu, ' ').trim());
  if (opts.legalEntityAbbreviations) value = abbreviateLegalEntities(value);

  // This is also the final check: whichever step misbehaved, a disallowed character is reported, never sent.
  const offending = [...new Set(graphemes(value).filter((g) => !isTransferAllowedText(g)))];
  if (offending.length > 0) {
    return fail(
      `振込に使えない文字が含まれています: ${offending.join(', ')} (characters not allowed in a bank transfer name)`,
      offending,
    );
  }
  if (value === '') return fail('名前を入力してください (name is required)');
  if (value.length > opts.maxLength) {
    return fail(
      `文字数が上限を超えています: 変換後${value.length}文字 (上限${opts.maxLength}文字) ` +
        `(too long: ${value.length} half-width characters after conversion, limit ${opts.maxLength})`,
    );
  }
  return { ok: true, value };
}

/** 48 characters for a transfer; a bulk transfer's bank uses only the first 30, so it passes 30. */
export function normaliseBeneficiaryName(input: string, maxLength = 48): NormaliseResult {
  return normaliseTransferName(input, { maxLength, legalEntityAbbreviations: true });
}

/** 振込依頼人名: a bulk transfer's bank uses only the first 40 characters. */
export function normaliseRemitterName(input: string): NormaliseResult {
  return normaliseTransferName(input, { maxLength: 40, legalEntityAbbreviations: true });
}

export function normaliseEdiInfo(input: string): NormaliseResult {
  return normaliseTransferName(input, { maxLength: 20 });
}
