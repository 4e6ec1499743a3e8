import { describe, expect, it } from 'vitest';
import { ConfigError, describeAccess, isLoopbackHost, parseConfig } from '../../server/config/index.ts';

const VIEWER = 'viewer-token-0123456789';
const SUPERVISOR = 'supervisor-token-0123456789';

describe('bind policy', () => {
  it.each([
    '0.0.0.0',
    '::',
    '192.168.1.20',
    '10.0.0.5',
    'board.example.com',
    'localhost.example.com',
    '128.0.0.1',
  ])('should refuse HOST=%s without any token, saying how to fix it', (host) => {
    expect(() => parseConfig({ HOST: host })).toThrowError(ConfigError);
    expect(() => parseConfig({ HOST: host })).toThrowError(
      `refusing to bind ${host} without VIEWER_TOKEN/SUPERVISOR_TOKEN: set tokens or HOST=127.0.0.1`,
    );
  });

  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])(
    'should allow HOST=%s without tokens (loopback)',
    (host) => {
      expect(parseConfig({ HOST: host }).host).toBe(host);
    },
  );

  it('should allow any address once a token is configured', () => {
    expect(parseConfig({ HOST: '0.0.0.0', VIEWER_TOKEN: VIEWER }).host).toBe('0.0.0.0');
    expect(parseConfig({ HOST: '::', SUPERVISOR_TOKEN: SUPERVISOR }).host).toBe('::');
  });

  it('should refuse a viewer token equal to the supervisor token', () => {
    expect(() => parseConfig({ VIEWER_TOKEN: VIEWER, SUPERVISOR_TOKEN: VIEWER })).toThrowError(
      'VIEWER_TOKEN and SUPERVISOR_TOKEN must differ',
    );
  });

  it('should refuse a short viewer token', () => {
    expect(() => parseConfig({ VIEWER_TOKEN: 'short' })).toThrowError(/VIEWER_TOKEN must be at least 16/);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['::2', false],
    ['1::1', false],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['app.localhost', false],
    ['127.0.0.1.nip.io', false],
    ['', false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('WebSocket and origin settings', () => {
  it('should default to 50 sockets per address, 2000 in total, same-host origins, no proxy trust', () => {
    expect(parseConfig({})).toMatchObject({
      allowedOrigins: [],
      wsMaxPerIp: 50,
      wsMaxClients: 2000,
      trustProxy: false,
    });
  });

  it('should read and normalise ALLOWED_ORIGINS', () => {
    const config = parseConfig({
      ALLOWED_ORIGINS: ' https://Board.Example.com , http://tv.example:8080/,https://board.example.com:443',
    });
    expect(config.allowedOrigins).toEqual(['https://board.example.com', 'http://tv.example:8080']);
  });

  it.each([
    'board.example.com',
    'https://board.example.com/board',
    'ftp://x.example',
    'https://a:b@x.example',
    'https://x.example?a=1',
  ])('should refuse ALLOWED_ORIGINS=%s as not an origin', (value) => {
    expect(() => parseConfig({ ALLOWED_ORIGINS: value })).toThrowError(
      /ALLOWED_ORIGINS: .* is not an origin/,
    );
  });

  it('should read the limits and TRUST_PROXY', () => {
    expect(parseConfig({ WS_MAX_PER_IP: '500', WS_MAX_CLIENTS: '10000', TRUST_PROXY: '1' })).toMatchObject({
      wsMaxPerIp: 500,
      wsMaxClients: 10_000,
      trustProxy: true,
    });
    expect(() => parseConfig({ WS_MAX_PER_IP: '0' })).toThrowError(/WS_MAX_PER_IP=0 must be between 1/);
    expect(() => parseConfig({ WS_MAX_CLIENTS: 'lots' })).toThrowError(
      /WS_MAX_CLIENTS="lots" is not a whole number/,
    );
    expect(() => parseConfig({ TRUST_PROXY: 'maybe' })).toThrowError(
      /TRUST_PROXY="maybe" must be true or false/,
    );
  });
});

describe('describeAccess', () => {
  it('should say the server is loopback-only when no token is configured', () => {
    expect(describeAccess(parseConfig({}))).toEqual({
      level: 'info',
      message: 'no tokens configured: serving on loopback only',
    });
  });

  it('should warn when reads are open on a reachable address', () => {
    const access = describeAccess(parseConfig({ HOST: '0.0.0.0', SUPERVISOR_TOKEN: SUPERVISOR }));
    expect(access.level).toBe('warn');
    expect(access.message).toMatch(/VIEWER_TOKEN unset/);
  });

  it('should never include a token in the message', () => {
    const access = describeAccess(parseConfig({ VIEWER_TOKEN: VIEWER, SUPERVISOR_TOKEN: SUPERVISOR }));
    expect(access.message).not.toContain(VIEWER);
    expect(access.message).not.toContain(SUPERVISOR);
  });
});
