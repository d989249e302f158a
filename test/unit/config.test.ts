import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('cron expressions are checked by node-cron at start', () => {
  const CRONS = ['PURGE_CRON', 'POLL_CRON', 'REFRESH_CRON', 'WEBHOOK_CRON', 'EXPIRY_WATCH_CRON'];

  test.each(CRONS)('%s accepts five and six fields', (variable) => {
    expect(() => loadConfig({ [variable]: '*/15 * * * *' })).not.toThrow();
    expect(() => loadConfig({ [variable]: '30 */2 * * * *' })).not.toThrow();
  });

  test.each(CRONS.flatMap((variable) => ['61 * * * *', '* 25 * * *', '* * * *', '* * * * * * *', 'often and soon ok'].map((expr) => [variable, expr])))(
    '%s="%s" stops start-up naming the variable',
    (variable, expr) => {
      expect(() => loadConfig({ [variable]: expr })).toThrow(new RegExp(`^Invalid configuration: ${variable} is not a cron expression: "${expr.replace(/[*]/g, '\\*')}"`));
    },
  );

  test('the reason is node-cron\'s', () => {
    expect(() => loadConfig({ PURGE_CRON: '61 * * * *' })).toThrow('61 is a invalid expression for minute');
  });
});

describe('the simulator inside or outside the process', () => {
  test('by default npm start runs it in-process and keeps its state beside the service\'s SQLite file', () => {
    const c = loadConfig({ DATABASE_URL: 'sqlite:/var/lib/gbi/integrator.sqlite' });
    expect(c.simulatorInProcess).toBe(true);
    expect(c.simulatorStateFile).toBe('/var/lib/gbi/simulator.sqlite');
    expect(loadConfig({}).simulatorStateFile).toBe('data/simulator.sqlite');
  });

  test('the state stays in memory with SIMULATOR_STATE_FILE=off, an in-memory or a MySQL database', () => {
    expect(loadConfig({ SIMULATOR_STATE_FILE: 'off' }).simulatorStateFile).toBeNull();
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).simulatorStateFile).toBeNull();
    expect(loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/gbi' }).simulatorStateFile).toBeNull();
    expect(loadConfig({ SIMULATOR_STATE_FILE: '/tmp/sim.sqlite' }).simulatorStateFile).toBe('/tmp/sim.sqlite');
  });

  test('BANK_AUTH_URL and BANK_API_URL point at a simulator elsewhere (its own container): none is started here', () => {
    const c = loadConfig({
      BANK_AUTH_URL: 'http://simulator:3100/ganb/api/auth/v1',
      BANK_API_URL: 'http://simulator:3100/ganb/api/corporation/v1',
      BANK_BROWSER_AUTH_URL: 'http://localhost:3100/ganb/api/auth/v1/',
    });
    expect(c.bankEnv).toBe('simulator');
    expect(c.simulatorInProcess).toBe(false);
    expect(c.simulatorStateFile).toBeNull();
    expect(c.bank.authUrl).toBe('http://simulator:3100/ganb/api/auth/v1');
    expect(c.bank.browserAuthUrl).toBe('http://localhost:3100/ganb/api/auth/v1');
    expect(loadConfig({ SIMULATOR_IN_PROCESS: 'false' }).simulatorInProcess).toBe(false);
  });

  test('one of BANK_AUTH_URL and BANK_API_URL without the other is refused in the simulator environment', () => {
    expect(() => loadConfig({ BANK_API_URL: 'http://simulator:3100/ganb/api/corporation/v1' })).toThrow(/^Invalid configuration: BANK_AUTH_URL is required with BANK_API_URL/);
    expect(() => loadConfig({ BANK_AUTH_URL: 'http://simulator:3100/ganb/api/auth/v1' })).toThrow(/^Invalid configuration: BANK_API_URL is required with BANK_AUTH_URL/);
  });

  test('SIMULATOR_IN_PROCESS outside the simulator environment is refused; BANK_BROWSER_AUTH_URL needs https there', () => {
    expect(() => loadConfig({ ...production, SIMULATOR_IN_PROCESS: 'true' })).toThrow(/^Invalid configuration: SIMULATOR_IN_PROCESS /);
    expect(loadConfig({ ...production, SIMULATOR_IN_PROCESS: 'false' }).simulatorInProcess).toBe(false);
    expect(() => loadConfig({ ...production, BANK_BROWSER_AUTH_URL: 'http://bank.example.com/auth' })).toThrow('BANK_BROWSER_AUTH_URL must use https');
  });
});

describe('keep-alive timeout', () => {
  test('65 s by default, above the usual balancers\' 60 s idle timeout', () => {
    expect(loadConfig({}).keepAliveTimeoutMs).toBe(65_000);
    expect(loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '125000' }).keepAliveTimeoutMs).toBe(125_000);
  });

  test.each(['0', '999', 'long', '600001'])('KEEP_ALIVE_TIMEOUT_MS=%s is refused', (value) => {
    expect(() => loadConfig({ KEEP_ALIVE_TIMEOUT_MS: value })).toThrow(/^Invalid configuration: KEEP_ALIVE_TIMEOUT_MS /);
  });
});

describe('shutdown timeout', () => {
  test('8 s by default, under the orchestrators\' 10 s', () => {
    expect(loadConfig({}).shutdownTimeoutMs).toBe(8000);
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '2500' }).shutdownTimeoutMs).toBe(2500);
  });

  test.each(['0', '-1', 'soon', '120001'])('SHUTDOWN_TIMEOUT_MS=%s is refused', (value) => {
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: value })).toThrow(/^Invalid configuration: SHUTDOWN_TIMEOUT_MS /);
  });
});

describe('ENV_FILE', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gbi-env-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function envFile(content: string): string {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.env`);
    writeFileSync(file, content);
    return file;
  }

  test('adds the file\'s variables; one already set in the environment wins', () => {
    const file = envFile('# comment\nPORT=4000\nLOG_LEVEL=debug\nBANK_SCOPES="openid offline_access private:account"\n');
    const c = loadConfig({ ENV_FILE: file, LOG_LEVEL: 'warn' });
    expect(c.port).toBe(4000);
    expect(c.logLevel).toBe('warn');
    expect(c.bank.scopes).toEqual(['openid', 'offline_access', 'private:account']);
  });

  test('a bad value in the file is named like one in the environment', () => {
    expect(() => loadConfig({ ENV_FILE: envFile('PURGE_CRON=61 * * * *\n') })).toThrow(/^Invalid configuration: PURGE_CRON /);
  });

  test('a file that does not exist stops start-up naming ENV_FILE', () => {
    const missing = join(dir, 'nope.env');
    expect(() => loadConfig({ ENV_FILE: missing })).toThrow(`Invalid configuration: ENV_FILE cannot be read: ${missing} (ENOENT)`);
  });

  test('config/example.env, as shipped, is a valid configuration', () => {
    expect(() => loadConfig({ ENV_FILE: join(__dirname, '..', '..', 'config', 'example.env') })).not.toThrow();
  });
});

describe('egress proxies', () => {
  test('BANK_PROXY_URL and WEBHOOK_PROXY_URL are kept apart; the standard variables are read for the bank, lower-case first', () => {
    const c = loadConfig({
      ...production,
      BANK_PROXY_URL: 'http://gbi:pa%40ss@bank-proxy.internal:3128',
      WEBHOOK_PROXY_URL: 'https://hooks-proxy.internal:8443',
      https_proxy: 'http://lower.internal:3128',
      HTTPS_PROXY: 'http://upper.internal:3128',
      HTTP_PROXY: 'http://plain.internal:3128',
      NO_PROXY: 'localhost,.corp.example',
    });
    expect(c.bank.proxy).toEqual({
      explicit: 'http://gbi:pa%40ss@bank-proxy.internal:3128',
      httpsProxy: 'http://lower.internal:3128',
      httpProxy: 'http://plain.internal:3128',
      noProxy: 'localhost,.corp.example',
    });
    expect(c.webhooks.proxyUrl).toBe('https://hooks-proxy.internal:8443');
  });

  test('nothing set: the bank and the receivers are reached directly', () => {
    const c = loadConfig(production);
    expect(c.bank.proxy).toEqual({ explicit: undefined, httpsProxy: undefined, httpProxy: undefined, noProxy: undefined });
    expect(c.webhooks.proxyUrl).toBeNull();
  });

  test('the bundled simulator is local: the machine-wide proxy variables are not applied to it, BANK_PROXY_URL is', () => {
    const c = loadConfig({ HTTPS_PROXY: 'http://corp.internal:3128', HTTP_PROXY: 'http://corp.internal:3128', BANK_PROXY_URL: 'http://rehearsal.internal:3128' });
    expect(c.bank.proxy).toEqual({ explicit: 'http://rehearsal.internal:3128', httpsProxy: undefined, httpProxy: undefined, noProxy: undefined });
  });

  test.each([
    [{ BANK_PROXY_URL: 'bank-proxy.internal:3128' }, 'BANK_PROXY_URL'],
    [{ BANK_PROXY_URL: 'socks5://gbi:s3cret-value@bank-proxy.internal:1080' }, 'BANK_PROXY_URL'],
    [{ BANK_PROXY_URL: 'http://s3cret-value@bank-proxy.internal:3128' }, 'BANK_PROXY_URL'],
    [{ BANK_PROXY_URL: 'not a url s3cret-value' }, 'BANK_PROXY_URL'],
    [{ WEBHOOK_PROXY_URL: 'ftp://gbi:s3cret-value@hooks-proxy.internal' }, 'WEBHOOK_PROXY_URL'],
    [{ HTTPS_PROXY: 'http//s3cret-value' }, 'HTTPS_PROXY'],
    [{ https_proxy: 'file:///s3cret-value' }, 'https_proxy'],
    [{ HTTP_PROXY: 'socks://s3cret-value@proxy:1080' }, 'HTTP_PROXY'],
  ])('a bad proxy URL stops start-up naming the variable, never echoing the value: %j', (env, variable) => {
    let message = '';
    try {
      loadConfig({ ...production, ...env });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(message).not.toContain('s3cret-value');
  });
});

describe('caches of reads, each the bound on a change made elsewhere', () => {
  test('API_KEY_CACHE_SECONDS and WEBHOOK_ENDPOINT_CACHE_SECONDS: 5 s by default, 0 turns them off', () => {
    expect(loadConfig({}).apiKeyCacheSeconds).toBe(5);
    expect(loadConfig({}).webhooks.endpointCacheSeconds).toBe(5);
    expect(loadConfig({ WEBHOOK_ENDPOINT_CACHE_SECONDS: '0' }).webhooks.endpointCacheSeconds).toBe(0);
  });

  test.each(['-1', '2.5', 'soon', '61'])('WEBHOOK_ENDPOINT_CACHE_SECONDS=%s is refused', (value) => {
    expect(() => loadConfig({ WEBHOOK_ENDPOINT_CACHE_SECONDS: value })).toThrow(/^Invalid configuration: WEBHOOK_ENDPOINT_CACHE_SECONDS /);
  });
});

describe('the deployment\'s bank rate limit', () => {
  test('BANK_MAX_RPS is shared by instances that beat every INSTANCE_HEARTBEAT_SECONDS, 10 by default', () => {
    expect(loadConfig({}).bank).toMatchObject({ maxRequestsPerSecond: 0, heartbeatSeconds: 10 });
    expect(loadConfig({ BANK_MAX_RPS: '12.5', INSTANCE_HEARTBEAT_SECONDS: '3' }).bank).toMatchObject({ maxRequestsPerSecond: 12.5, heartbeatSeconds: 3 });
  });

  test.each(['0', '-1', '2.5', 'often', '301'])('INSTANCE_HEARTBEAT_SECONDS=%s is refused', (value) => {
    expect(() => loadConfig({ INSTANCE_HEARTBEAT_SECONDS: value })).toThrow(/^Invalid configuration: INSTANCE_HEARTBEAT_SECONDS /);
  });
});
