import { Writable } from 'node:stream';
import { createLogger, maskAccountNumber, withLogContext } from '../../src/log';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _e, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ stream, level: 'debug' }), lines };
}

describe('structured logs', () => {
  test('JSON lines carry the request id of the context', () => {
    const { log, lines } = capture();
    withLogContext({ requestId: 'req-12345678' }, () => log.info('hello', { companyId: 'C1' }));
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ message: 'hello', requestId: 'req-12345678', companyId: 'C1', level: 'info' });
  });

  test('secret fields are redacted at any depth, whatever the call site', () => {
    const { log, lines } = capture();
    log.info('oops', {
      access_token: 'AT-123',
      refreshToken: 'RT-456',
      nested: { client_secret: 'CS-789', code: 'CODE-1', state: 'STATE-1', accountNumber: '1234567', list: [{ authorization: 'Bearer x' }] },
    });
    for (const secret of ['AT-123', 'RT-456', 'CS-789', 'CODE-1', 'STATE-1', '1234567', 'Bearer x']) expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
  });

  test('ids and counts whose names merely contain a secret word are kept', () => {
    const { log, lines } = capture();
    log.info('purge finished', { apiKeyId: 'key-id-1', deletedTokens: 12, tokenKind: 'access', keyId: 'k2', stateHash: undefined, codeLength: 3 });
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ apiKeyId: 'key-id-1', deletedTokens: 12, tokenKind: 'access', keyId: 'k2', codeLength: 3 });
    log.info('x', { 'x-access-token': 'XT-1', Set_Cookie: 'SC-1', client_secret: 'CS-2', api_key: 'AK-1' });
    for (const secret of ['XT-1', 'SC-1', 'CS-2', 'AK-1']) expect(lines[1]).not.toContain(secret);
  });

  test('account numbers are masked to their last four digits', () => {
    expect(maskAccountNumber('1234567')).toBe('***4567');
    expect(maskAccountNumber('12')).toBe('****');
  });
});
