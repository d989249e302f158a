import * as Encoding from 'encoding-japanese';

/**
 * 振込許容文字 as far as the reference knows them (§10): half-width katakana (small forms included, the bank
 * turns them into large ones), A-Z, 0-9, space and ( ) - . / , ｢ ｣ ¥ \. Lower case and full-width text are refused,
 * which is what sunabar did with a full-width name (220001).
 */
const ZENGIN_CHARS = /^[\uFF66-\uFF9F\uFF62\uFF63A-Z0-9 ()\-./,¥\\]+$/;

/** Informational fields (bank and branch names) only have to be half-width. */
const HALF_WIDTH = /^[\x20-\x7E\uFF61-\uFF9F]+$/;

const SMALL_TO_LARGE: Record<string, string> = {
  ｧ: 'ｱ', ｨ: 'ｲ', ｩ: 'ｳ', ｪ: 'ｴ', ｫ: 'ｵ', ｬ: 'ﾔ', ｭ: 'ﾕ', ｮ: 'ﾖ', ｯ: 'ﾂ',
};

export function isZenginText(s: string): boolean {
  return ZENGIN_CHARS.test(s);
}

export function isHalfWidth(s: string): boolean {
  return HALF_WIDTH.test(s);
}

/** The bank echoes names with small kana made large (ｶ)ｱｵｿﾞﾗｻﾝｷﾞｮｳ comes back as ｶ)ｱｵｿﾞﾗｻﾝｷﾞﾖｳ). */
export function normaliseSmallKana(s: string): string {
  return s.replace(/[ｧ-ｯ]/g, (c) => SMALL_TO_LARGE[c] ?? c);
}

/** Full-width katakana and ASCII (as in the bank master) to the half-width form the API answers with. */
export function toHalfWidth(s: string): string {
  return Encoding.toHankakuCase(Encoding.toHankanaCase(s));
}

/** [O] Remarks show the remitter in full-width form (`振込 スナバ　タロウ` in sunabar): half-width kana and ASCII widened. */
export function toFullWidth(s: string): string {
  return Encoding.toZenkakuSpace(Encoding.toZenkakuCase(Encoding.toZenkanaCase(s)));
}
