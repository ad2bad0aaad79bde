import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/aid_ledger',
      natsUrl: 'nats://127.0.0.1:4222',
      eventStore: 'postgres',
      eventStoreUrl: undefined,
      port: 3000,
      adminKey: undefined,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://app:secret@db:5432/ledger',
      NATS_URL: 'nats://n1:4222,nats://n2:4222',
      EVENT_STORE: 'esdb',
      EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false',
      PORT: '8080',
      AID_ADMIN_KEY: 'a-long-enough-admin-key',
      LOG_LEVEL: 'DEBUG',
    });

    expect(config).toEqual({
      databaseUrl: 'postgresql://app:secret@db:5432/ledger',
      natsUrl: 'nats://n1:4222,nats://n2:4222',
      eventStore: 'esdb',
      eventStoreUrl: 'esdb://eventstore:2113?tls=false',
      port: 8080,
      adminKey: 'a-long-enough-admin-key',
      logLevel: 'debug',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ AID_ADMIN_KEY: '', PORT: ' ' })).toMatchObject({ adminKey: undefined, port: 3000 });
  });

  it.each([
    [{ DATABASE_URL: 'mysql://localhost/aid' }, 'DATABASE_URL must be a postgres:// URL'],
    [{ DATABASE_URL: 'postgres://localhost' }, 'DATABASE_URL must name a database'],
    [
      { NATS_URL: 'http://localhost:4222' },
      'NATS_URL must be one or more comma-separated nats:// or tls:// URLs',
    ],
    [{ EVENT_STORE: 'kafka' }, 'EVENT_STORE must be one of postgres, esdb (got "kafka")'],
    [{ EVENT_STORE: 'esdb' }, 'EVENTSTORE_URL is required when EVENT_STORE=esdb'],
    [{ EVENTSTORE_URL: 'http://localhost:2113' }, 'EVENTSTORE_URL must be an esdb:// URL'],
    [{ PORT: 'eighty' }, 'PORT must be an integer from 0 to 65535 (got "eighty")'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535 (got "70000")'],
    [{ AID_ADMIN_KEY: 'short' }, 'AID_ADMIN_KEY must be at least 16 characters long'],
    [
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
  ])('rejects %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lists every bad variable at once', () => {
    let thrown: unknown;
    try {
      loadConfig({ PORT: '-1', LOG_LEVEL: 'loud' });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toHaveLength(2);
  });

  it('never echoes the admin key in its message', () => {
    expect(() => loadConfig({ AID_ADMIN_KEY: 'tooshort' })).toThrow('AID_ADMIN_KEY');
    expect(() => loadConfig({ AID_ADMIN_KEY: 'tooshort' })).not.toThrow('tooshort');
  });
});
