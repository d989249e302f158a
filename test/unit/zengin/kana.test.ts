import {
  isTransferAllowedText,
  normaliseBeneficiaryName,
  normaliseEdiInfo,
  type NormaliseResult,
} from '../../../src/transfers/zengin/kana';

const ok = (value: string): NormaliseResult => ({ ok: true, value });
const notAllowed = (...offending: string[]) => ({ ok: false, offending });
const REQUIRED: NormaliseResult = { ok: false, reason: '名前を入力してください (name is required)', offending: [] };

describe('normaliseBeneficiaryName', () => {
  test.each<[string, string, Partial<NormaliseResult>]>([
    // kana width
    ['full-width katakana', 'ヤマダ タロウ', ok('ﾔﾏﾀﾞ ﾀﾛｳ')],
    ['hiragana', 'やまだ たろう', ok('ﾔﾏﾀﾞ ﾀﾛｳ')],
    ['half-width katakana is kept', 'ﾔﾏﾀﾞ ﾀﾛｳ', ok('ﾔﾏﾀﾞ ﾀﾛｳ')],
    ['dakuten split off', 'ガギグゲゴ', ok('ｶﾞｷﾞｸﾞｹﾞｺﾞ')],
    ['handakuten split off', 'パピプペポ', ok('ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ')],
    ['ヴ', 'ヴァイオリン', ok('ｳﾞｱｲｵﾘﾝ')],
    ['hiragana ゔ', 'ゔぁいおりん', ok('ｳﾞｱｲｵﾘﾝ')],
    ['kana with no half-width form', 'ヰヱヮヵヶ', ok('ｲｴﾜｶｹ')],
    ['hiragana with no half-width form', 'ゐゑゎ', ok('ｲｴﾜ')],
    ['combining dakuten and handakuten', 'か\u3099は\u309A', ok('ｶﾞﾊﾟ')],
    ['spacing dakuten and handakuten', 'カ゛ハ゜', ok('ｶﾞﾊﾟ')],
    // small kana
    ['small ッ', 'キッサ', ok('ｷﾂｻ')],
    ['small ャ ョ', 'シャチョウ', ok('ｼﾔﾁﾖｳ')],
    ['half-width small ｮ', 'ｼｮｳｼﾞ', ok('ｼﾖｳｼﾞ')],
    ['all full-width small kana', 'ァィゥェォャュョッ', ok('ｱｲｳｴｵﾔﾕﾖﾂ')],
    ['all hiragana small kana', 'ぁぃぅぇぉゃゅょっ', ok('ｱｲｳｴｵﾔﾕﾖﾂ')],
    ['all half-width small kana', 'ｧｨｩｪｫｬｭｮｯ', ok('ｱｲｳｴｵﾔﾕﾖﾂ')],
    // long-vowel marks
    ['ー katakana prolonged sound mark', 'スーパー', ok('ｽ-ﾊﾟ-')],
    ['ｰ half-width prolonged sound mark', 'ｽｰﾊﾟｰ', ok('ｽ-ﾊﾟ-')],
    ['－ full-width hyphen-minus', 'ス－パ－', ok('ｽ-ﾊﾟ-')],
    ['- hyphen-minus', 'ス-パ-', ok('ｽ-ﾊﾟ-')],
    ['‐ hyphen', 'ス\u2010パ\u2010', ok('ｽ-ﾊﾟ-')],
    ['‑ non-breaking hyphen', 'ス\u2011パ\u2011', ok('ｽ-ﾊﾟ-')],
    ['‒ figure dash', 'ス\u2012パ\u2012', ok('ｽ-ﾊﾟ-')],
    ['– en dash', 'ス\u2013パ\u2013', ok('ｽ-ﾊﾟ-')],
    ['— em dash', 'ス\u2014パ\u2014', ok('ｽ-ﾊﾟ-')],
    ['― horizontal bar', 'ス\u2015パ\u2015', ok('ｽ-ﾊﾟ-')],
    ['⁃ hyphen bullet', 'ス\u2043パ\u2043', ok('ｽ-ﾊﾟ-')],
    ['− minus sign', 'ス\u2212パ\u2212', ok('ｽ-ﾊﾟ-')],
    ['﹣ small hyphen-minus', 'ス\uFE63パ\uFE63', ok('ｽ-ﾊﾟ-')],
    // latin and digits
    ['latin lowercase', 'yamada taro', ok('YAMADA TARO')],
    ['latin mixed case', 'GMO Aozora', ok('GMO AOZORA')],
    ['full-width latin uppercase', 'ＹＡＭＡＤＡ', ok('YAMADA')],
    ['full-width latin lowercase', 'ｙａｍａｄａ', ok('YAMADA')],
    ['full-width digits', '０１２３４５６７８９', ok('0123456789')],
    ['half-width digits with kana', 'ダイ2ビル', ok('ﾀﾞｲ2ﾋﾞﾙ')],
    // symbols
    ['allowed symbols, half-width', '( ) - . / , ｢ ｣ ¥', ok('( ) - . / , ｢ ｣ ¥')],
    ['allowed symbols, full-width', '（）－．／，「」￥', ok('()-./,｢｣¥')],
    ['brackets around a name', '「ヤマダ」', ok('｢ﾔﾏﾀﾞ｣')],
    ['&', 'ヤマダ&タナカ', notAllowed('&')],
    ['@', 'yamada@example', notAllowed('@')],
    ['!', 'ヤマダ!', notAllowed('!')],
    ['full-width ＃ reported as typed', 'ヤマダ＃１', notAllowed('＃')],
    ['full-width ＆ reported as typed', 'ヤマダ＆タナカ', notAllowed('＆')],
    ['middle dot, full and half-width', 'ヤマダ・タロウ ﾔﾏﾀﾞ･ﾀﾛｳ', notAllowed('・', '･')],
    ['ideographic full stop', 'ヤマダ。', notAllowed('。')],
    ['iteration mark', 'サゝキ', notAllowed('ゝ')],
    // kanji and emoji
    ['kanji, each listed once', '山田 ヤマダ 山', notAllowed('山', '田')],
    ['a kanji name', '山田太郎', notAllowed('山', '田', '太', '郎')],
    ['emoji', 'ヤマダ👍', notAllowed('👍')],
    ['ZWJ emoji sequence reported whole', '👨‍👩‍👧ヤマダ', notAllowed('👨‍👩‍👧')],
    ['flag emoji reported whole', 'ヤマダ🇯🇵', notAllowed('🇯🇵')],
    // legal-entity words
    ['株式会社 at the start', '株式会社ヤマダ', ok('ｶ)ﾔﾏﾀﾞ')],
    ['株式会社 at the end', 'ヤマダ株式会社', ok('ﾔﾏﾀﾞ(ｶ')],
    ['株式会社 in the middle', 'ヤマダ株式会社ショウジ', ok('ﾔﾏﾀﾞ(ｶ)ｼﾖｳｼﾞ')],
    ['spaces around the word go', 'ヤマダ　株式会社　ショウジ', ok('ﾔﾏﾀﾞ(ｶ)ｼﾖｳｼﾞ')],
    ['カブシキガイシャ spelled in katakana', 'カブシキガイシャ ヤマダ', ok('ｶ)ﾔﾏﾀﾞ')],
    ['ｶﾌﾞｼｷｶﾞｲｼｬ spelled in half-width katakana', 'ﾔﾏﾀﾞ ｶﾌﾞｼｷｶﾞｲｼｬ', ok('ﾔﾏﾀﾞ(ｶ')],
    ['かぶしきがいしゃ spelled in hiragana', 'やまだかぶしきがいしゃしょうじ', ok('ﾔﾏﾀﾞ(ｶ)ｼﾖｳｼﾞ')],
    ['(株)', '（株）ヤマダ', ok('ｶ)ﾔﾏﾀﾞ')],
    ['㈱', 'ヤマダ㈱', ok('ﾔﾏﾀﾞ(ｶ')],
    ['already abbreviated (カ) kept', '（カ）ヤマダ', ok('(ｶ)ﾔﾏﾀﾞ')],
    ['already abbreviated カ) kept', 'カ)ヤマダ', ok('ｶ)ﾔﾏﾀﾞ')],
    ['already abbreviated (カ kept', 'ヤマダ（カ', ok('ﾔﾏﾀﾞ(ｶ')],
    ['有限会社', '有限会社ヤマダ', ok('ﾕ)ﾔﾏﾀﾞ')],
    ['合同会社 at the end', 'ヤマダ合同会社', ok('ﾔﾏﾀﾞ(ﾄﾞ')],
    ['ゴウドウガイシャ in katakana', 'ヤマダゴウドウガイシャ', ok('ﾔﾏﾀﾞ(ﾄﾞ')],
    ['合名会社', '合名会社ヤマダ', ok('ﾒ)ﾔﾏﾀﾞ')],
    ['合資会社', '合資会社ヤマダ', ok('ｼ)ﾔﾏﾀﾞ')],
    ['一般社団法人', '一般社団法人ヤマダキョウカイ', ok('ｼﾔ)ﾔﾏﾀﾞｷﾖｳｶｲ')],
    ['公益財団法人', '公益財団法人ヤマダキキン', ok('ｻﾞｲ)ﾔﾏﾀﾞｷｷﾝ')],
    ['医療法人社団 takes the longer word', '医療法人社団ヤマダカイ', ok('ｲ)ﾔﾏﾀﾞｶｲ')],
    ['医療法人', '医療法人ヤマダカイ', ok('ｲ)ﾔﾏﾀﾞｶｲ')],
    ['社会福祉法人', '社会福祉法人ヤマダカイ', ok('ﾌｸ)ﾔﾏﾀﾞｶｲ')],
    ['特定非営利活動法人', '特定非営利活動法人ヤマダ', ok('ﾄｸﾋ)ﾔﾏﾀﾞ')],
    ['学校法人', '学校法人ヤマダガクエン', ok('ｶﾞｸ)ﾔﾏﾀﾞｶﾞｸｴﾝ')],
    ['税理士法人 at the end', 'ヤマダ税理士法人', ok('ﾔﾏﾀﾞ(ｾﾞｲ')],
    ['社会保険労務士法人', '社会保険労務士法人ヤマダ', ok('ﾛｳﾑ)ﾔﾏﾀﾞ')],
    ['other kanji next to a legal-entity word', '山田株式会社', notAllowed('山', '田')],
    ['営業所 is not abbreviated', '株式会社ヤマダ 新宿営業所', notAllowed('新', '宿', '営', '業', '所')],
    ['エイギョウショ in kana stays as it is', 'ヤマダ エイギョウショ', ok('ﾔﾏﾀﾞ ｴｲｷﾞﾖｳｼﾖ')],
    // whitespace and length
    ['whitespace folded and trimmed', ' \tヤマダ　　 タロウ\n ', ok('ﾔﾏﾀﾞ ﾀﾛｳ')],
    ['empty', '', REQUIRED],
    ['blank', '　 \t', REQUIRED],
    ['exactly 48 after dakuten expansion', 'ガガガガガガガガガガガガガガガガガガガガガガガガ', ok('ｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞｶﾞ')],
    [
      '49 after dakuten expansion (25 typed characters)',
      'ガガガガガガガガガガガガガガガガガガガガガガガガア',
      {
        ok: false,
        reason:
          '文字数が上限を超えています: 変換後49文字 (上限48文字) (too long: 49 half-width characters after conversion, limit 48)',
      },
    ],
  ])('%s: %j', (_label, input, expected) => {
    expect(normaliseBeneficiaryName(input)).toMatchObject(expected);
  });

  test('the reason names each offending character, in Japanese and English', () => {
    expect(normaliseBeneficiaryName('山田&タロウ👍')).toEqual({
      ok: false,
      reason: '振込に使えない文字が含まれています: 山, 田, &, 👍 (characters not allowed in a bank transfer name)',
      offending: ['山', '田', '&', '👍'],
    });
  });
});

describe('normaliseEdiInfo', () => {
  test.each<[string, string, Partial<NormaliseResult>]>([
    ['invoice number', 'inv-2024/001', ok('INV-2024/001')],
    ['exactly 20', 'セイキュウショバンゴウ1234567', ok('ｾｲｷﾕｳｼﾖﾊﾞﾝｺﾞｳ1234567')],
    [
      '21',
      'セイキュウショバンゴウ12345678',
      {
        ok: false,
        reason:
          '文字数が上限を超えています: 変換後21文字 (上限20文字) (too long: 21 half-width characters after conversion, limit 20)',
      },
    ],
    ['no legal-entity abbreviations', '株式会社', notAllowed('株', '式', '会', '社')],
    ['blank', ' ', REQUIRED],
  ])('%s: %j', (_label, input, expected) => {
    expect(normaliseEdiInfo(input)).toMatchObject(expected);
  });
});

describe('isTransferAllowedText', () => {
  test.each([
    ['ｶ)ｱｵｿﾞﾗｻﾝｷﾞﾖｳ', true],
    ['ABC 0123 ()-./,｢｣¥', true],
    ['ｦﾝﾞﾟ', true],
    ['', true],
    ['ｶ)ｱｵｿﾞﾗｻﾝｷﾞｮｳ', false],
    ['ｽｰﾊﾟｰ', false],
    ['abc', false],
    ['ヤマダ', false],
    ['&', false],
    ['\\', false],
  ])('%j → %s', (text, allowed) => {
    expect(isTransferAllowedText(text)).toBe(allowed);
  });
});
