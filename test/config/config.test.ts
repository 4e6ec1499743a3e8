import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/config/index.ts';

describe('parseConfig', () => {
  it('should give the embedded defaults on an empty environment', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      natsUrl: undefined,
      stream: 'OPS',
      consumer: 'peakboard',
      clock: 'wall',
      businessTimeZone: 'Asia/Shanghai',
      retentionDays: 35,
      maxFutureSec: 300,
      tickMs: 250,
    });
    expect(config.databasePath).toMatch(/data\/peakboard\.duckdb$/);
  });

  it.each([
    ['PORT', 'eighty', /PORT="eighty" is not a whole number/],
    ['PORT', '70000', /PORT=70000 must be between 0 and 65535/],
    ['CLOCK', 'sundial', /CLOCK="sundial" must be one of: wall, event/],
    ['BUSINESS_TZ', 'Mars/Olympus', /BUSINESS_TZ="Mars\/Olympus" is not an IANA time zone/],
    ['RETENTION_DAYS', '7', /RETENTION_DAYS=7 must be between 31 and 3650/],
    ['MAX_FUTURE_SEC', '-1', /MAX_FUTURE_SEC=-1 must be between 0 and 86400/],
    ['NATS_URL', 'http://x', /NATS_URL="http:\/\/x" must be nats:\/\/host:port/],
    ['STREAM', 'a.b', /STREAM="a.b" must be letters, digits/],
    ['SUPERVISOR_TOKEN', 'short', /SUPERVISOR_TOKEN must be at least 16 characters/],
  ])('should refuse %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => parseConfig({ [name]: value })).toThrowError(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrowError(message);
  });

  it('should read the shops an instance owns and refuse a bad shop id', () => {
    expect(parseConfig({ SHOPS: 'shop-a, shop_b' }).shops).toEqual(['shop-a', 'shop_b']);
    expect(parseConfig({}).shops).toBeUndefined();
    expect(() => parseConfig({ SHOPS: 'a,b c' })).toThrowError(/SHOPS contains "b c"/);
  });

  it('should accept a NATS cluster list and an event clock', () => {
    const config = parseConfig({
      NATS_URL: 'nats://a:4222,nats://b:4222',
      CLOCK: 'event',
      DATA_DIR: '/tmp/x',
    });
    expect(config).toMatchObject({
      natsUrl: 'nats://a:4222,nats://b:4222',
      clock: 'event',
      databasePath: '/tmp/x/peakboard.duckdb',
    });
  });
});
