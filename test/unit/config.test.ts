import { ConfigError, loadConfig, SIMULATOR_DEV_KEY_RING } from '../../src/config';

const realKey = `prod1:${Buffer.alloc(32, 7).toString('base64')}`;
const production = {
  BANK_ENV: 'production',
  BANK_CLIENT_ID: 'client',
  BANK_CLIENT_SECRET: 'secret',
  TOKEN_ENCRYPTION_KEYS: realKey,
  PUBLIC_BASE_URL: 'https://integrator.example.com',
};

describe('configuration', () => {
  test('the simulator environment needs nothing and points at the bundled simulator', () => {
    const c = loadConfig({});
    expect(c.bankEnv).toBe('simulator');
    expect(c.port).toBe(3000);
    expect(c.bank.authUrl).toBe('http://127.0.0.1:3100/ganb/api/auth/v1');
    expect(c.bank.apiUrl).toBe('http://127.0.0.1:3100/ganb/api/corporation/v1');
    expect(c.databaseUrl).toBe('sqlite:./data/integrator.sqlite');
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
    expect(c.purgeCron).toBe('*/10 * * * *');
    expect(c.bank.scopes).toContain('offline_access');
  });

  test('production selects GMO production URLs', () => {
    const c = loadConfig(production);
    expect(c.bank.authUrl).toBe('https://api.gmo-aozora.com/ganb/api/auth/v1');
    expect(c.bank.apiUrl).toBe('https://api.gmo-aozora.com/ganb/api/corporation/v1');
  });

  test('staging selects GMO staging URLs, overridable', () => {
    expect(loadConfig({ ...production, BANK_ENV: 'staging' }).bank.apiUrl).toBe('https://stg-api.gmo-aozora.com/ganb/api/corporation/v1');
    const c = loadConfig({ ...production, BANK_ENV: 'staging', BANK_API_URL: 'https://proxy.example/ganb/api/corporation/v1/' });
    expect(c.bank.apiUrl).toBe('https://proxy.example/ganb/api/corporation/v1');
  });

  test('a loopback stand-in of the bank may use http, for rehearsing a deployment', () => {
    const c = loadConfig({ ...production, BANK_AUTH_URL: 'http://127.0.0.1:3100/ganb/api/auth/v1', BANK_API_URL: 'http://localhost:3100/ganb/api/corporation/v1', PUBLIC_BASE_URL: 'http://localhost:3000' });
    expect(c.bank.authUrl).toBe('http://127.0.0.1:3100/ganb/api/auth/v1');
  });

  test.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ BANK_ENV: 'prod' }, 'BANK_ENV'],
    [{ BANK_CLIENT_AUTH: 'jwt' }, 'BANK_CLIENT_AUTH'],
    [{ BANK_TIMEOUT_MS: '0' }, 'BANK_TIMEOUT_MS'],
    [{ DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://host' }, 'DATABASE_URL'],
    [{ TOKEN_ENCRYPTION_KEYS: 'k1:short' }, 'TOKEN_ENCRYPTION_KEYS'],
    [{ BANK_SCOPES: 'private:account' }, 'BANK_SCOPES'],
    [{ PURGE_CRON: 'often' }, 'PURGE_CRON'],
    [{ RETURN_URL_ORIGINS: 'https://a.example/path' }, 'RETURN_URL_ORIGINS'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
  ])('a malformed value stops start-up naming the variable: %j', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  test.each(['BANK_CLIENT_ID', 'BANK_CLIENT_SECRET', 'TOKEN_ENCRYPTION_KEYS', 'PUBLIC_BASE_URL'])(
    'production refuses to start without %s',
    (variable) => {
      const env: Record<string, string> = { ...production };
      delete env[variable];
      expect(() => loadConfig(env)).toThrow(`Invalid configuration: ${variable} is required when BANK_ENV=production`);
    },
  );

  test('production refuses the built-in development key, even behind another id', () => {
    expect(() => loadConfig({ ...production, TOKEN_ENCRYPTION_KEYS: SIMULATOR_DEV_KEY_RING })).toThrow('TOKEN_ENCRYPTION_KEYS');
    const renamed = SIMULATOR_DEV_KEY_RING.replace(/^dev:/, 'mine:');
    expect(() => loadConfig({ ...production, TOKEN_ENCRYPTION_KEYS: `${realKey},${renamed}` })).toThrow('development key');
  });

  test.each(['BANK_AUTH_URL', 'BANK_API_URL', 'PUBLIC_BASE_URL'])('production requires https for %s', (variable) => {
    expect(() => loadConfig({ ...production, [variable]: 'http://bank.example.com/x' })).toThrow(`${variable} must use https`);
  });
});
