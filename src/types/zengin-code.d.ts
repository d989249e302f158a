/** The parts of zengin-code's data we use: banks keyed by 4-digit code, each with branches keyed by 3-digit code. */
declare module 'zengin-code' {
  interface ZenginEntry {
    code: string;
    /** As the bank writes it, with full-width Latin, e.g. "ＧＭＯあおぞらネット". */
    name: string;
    /** Full-width katakana with large kana only and "－" for the long vowel, e.g. "ジ－エムオ－アオゾラネツト". */
    kana: string;
    hira: string;
    roma: string;
  }
  interface ZenginBank extends ZenginEntry {
    branches: Record<string, ZenginEntry>;
  }
  const banks: Record<string, ZenginBank>;
  export = banks;
}
