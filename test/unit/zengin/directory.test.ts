import {
  bankNameKanaHalfWidth,
  branchNameKanaHalfWidth,
  findBank,
  findBranch,
} from '../../../src/transfers/zengin/directory';

const DIRECTORY = '../../../src/transfers/zengin/directory';

describe('loading zengin-code', () => {
  afterEach(() => jest.dontMock('zengin-code'));

  test('happens on the first lookup, not at import, and only once', () => {
    let loads = 0;
    jest.isolateModules(() => {
      jest.doMock('zengin-code', () => {
        loads += 1;
        return jest.requireActual('zengin-code');
      });
      const directory: typeof import('../../../src/transfers/zengin/directory') = require(DIRECTORY);
      expect(loads).toBe(0);

      expect(directory.findBank('0310')).toBeDefined();
      expect(directory.findBranch('0310', '101')).toBeDefined();
      expect(directory.findBank('0001')).toBeDefined();
      expect(loads).toBe(1);
    });
  });
});

describe('findBank', () => {
  test('GMO Aozora Net Bank is 0310', () => {
    const bank = findBank('0310');
    expect(bank).toEqual({
      code: '0310',
      name: 'ＧＭＯあおぞらネット',
      kana: 'ジ－エムオ－アオゾラネツト',
      hiraName: 'じ－えむお－あおぞらねつと',
    });
    // The same spelling as the beneficiaryBankName in GMO's own request example.
    expect(bankNameKanaHalfWidth(bank!)).toBe('ｼﾞ-ｴﾑｵ-ｱｵｿﾞﾗﾈﾂﾄ');
  });

  test.each([
    ['0001', 'みずほ', 'ﾐｽﾞﾎ'],
    ['0005', '三菱ＵＦＪ', 'ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ'],
    ['0009', '三井住友', 'ﾐﾂｲｽﾐﾄﾓ'],
    ['9900', 'ゆうちょ', 'ﾕｳﾁﾖ'],
  ])('%s is %s (%s)', (code, name, halfWidth) => {
    const bank = findBank(code);
    expect(bank).toMatchObject({ code, name });
    expect(bankNameKanaHalfWidth(bank!)).toBe(halfWidth);
  });

  test.each(['0000', '310', '03100', 'abcd', '０３１０', '__proto__', 'constructor', ''])(
    'unknown or malformed code %j → undefined',
    (code) => {
      expect(findBank(code)).toBeUndefined();
    },
  );
});

describe('findBranch', () => {
  test.each([
    ['0310', '101', '法人営業部', 'ﾎｳｼﾞﾝ'],
    ['0310', '301', 'うみ', 'ｳﾐ'],
    ['0001', '001', '東京営業部', 'ﾄｳｷﾖｳ'],
    ['0005', '001', '本店', 'ﾎﾝﾃﾝ'],
    ['0009', '200', '本店営業部', 'ﾎﾝﾃﾝ'],
    ['0009', '221', '新宿', 'ｼﾝｼﾞﾕｸ'],
  ])('%s-%s is %s (%s)', (bankCode, branchCode, name, halfWidth) => {
    const branch = findBranch(bankCode, branchCode);
    expect(branch).toMatchObject({ code: branchCode, name });
    expect(branchNameKanaHalfWidth(branch!)).toBe(halfWidth);
  });

  test.each([
    ['0310', '999'],
    ['0000', '001'],
    ['0310', '1'],
    ['0310', '1010'],
    ['0310', '__proto__'],
    ['310', '101'],
  ])('unknown or malformed %s-%s → undefined', (bankCode, branchCode) => {
    expect(findBranch(bankCode, branchCode)).toBeUndefined();
  });
});

// Guards a zengin-code upgrade: every name in the data set must still convert within GMO's limits.
test('every bank and branch name converts to half-width kana within 30 and 15 characters', () => {
  const data: typeof import('zengin-code') = jest.requireActual('zengin-code');
  const failures: string[] = [];
  const check = (label: string, convert: () => string, limit: number) => {
    try {
      if (convert().length > limit) failures.push(`${label}: longer than ${limit}`);
    } catch (error) {
      failures.push(`${label}: ${(error as Error).message}`);
    }
  };
  for (const bank of Object.values(data)) {
    check(bank.code, () => bankNameKanaHalfWidth(findBank(bank.code)!), 30);
    for (const branch of Object.values(bank.branches)) {
      check(`${bank.code}-${branch.code}`, () => branchNameKanaHalfWidth(findBranch(bank.code, branch.code)!), 15);
    }
  }
  expect(failures).toEqual([]);
});
