import { loadPlatformConfig } from '../../layers/platform/src/config/PlatformConfig';
import { renderServerlessTopology } from '../../layers/platform/src/topology/serverlessTopology';

const base = { MYSIMBDP_STAGE: 'prod' };

describe('the origins a browser may call the API from', () => {
  it('are none by default: the API answers no CORS and the stack configures none', () => {
    expect(loadPlatformConfig(base).allowedOrigins).toEqual([]);
    expect(renderServerlessTopology('prod', base).httpApiCors).toBe(false);
  });

  it('are exactly the configured ones, rendered as the HTTP API CORS settings', () => {
    const env = { ...base, MYSIMBDP_ALLOWED_ORIGINS: 'https://dashboard.example.com, http://localhost:5173' };
    expect(loadPlatformConfig(env).allowedOrigins).toEqual(['https://dashboard.example.com', 'http://localhost:5173']);
    expect(renderServerlessTopology('prod', env).httpApiCors).toEqual({
      allowedOrigins: ['https://dashboard.example.com', 'http://localhost:5173'],
      allowedMethods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type', 'Authorization'],
      exposedResponseHeaders: ['Retry-After'],
      maxAge: 600,
    });
  });

  it.each([
    '*',
    'https://*.example.com',
    'https://dashboard.example.com/',
    'https://dashboard.example.com/app',
    'dashboard.example.com',
    'ftp://example.com',
    'null',
  ])('refuse %j, naming the variable and the form', (origin) => {
    expect(() => loadPlatformConfig({ ...base, MYSIMBDP_ALLOWED_ORIGINS: origin })).toThrow(
      'invalid platform configuration: MYSIMBDP_ALLOWED_ORIGINS.0: each origin is scheme://host[:port], e.g. https://dashboard.example.com (no path, no *)',
    );
  });
});

describe('the lockout window', () => {
  it('is at most an hour, the grace period of the login_throttle table', () => {
    expect(() => loadPlatformConfig({ ...base, MYSIMBDP_LOCKOUT_WINDOW_SECONDS: '7200' })).toThrow(/MYSIMBDP_LOCKOUT_WINDOW_SECONDS/);
    expect(loadPlatformConfig({ ...base, MYSIMBDP_LOCKOUT_WINDOW_SECONDS: '3600' }).auth.lockoutWindowSeconds).toBe(3600);
  });
});
