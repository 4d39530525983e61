import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { deviceCookie, deviceCookieOf, overHttps } from '../../functions/http/deviceCookie';

const event = (fields: Partial<APIGatewayProxyEventV2>) => ({ headers: {}, ...fields }) as APIGatewayProxyEventV2;

describe("the dashboard's device cookie", () => {
  it('is HttpOnly, SameSite=Strict, for the login route only, and Secure over HTTPS', () => {
    expect(deviceCookie('a.b.c', 60, true)).toBe('mysimbdp_device=a.b.c; Max-Age=60; Path=/auth/login; HttpOnly; SameSite=Strict; Secure');
    expect(deviceCookie('a.b.c', 60, false)).toBe('mysimbdp_device=a.b.c; Max-Age=60; Path=/auth/login; HttpOnly; SameSite=Strict');
  });

  it('is read from the cookies API Gateway hands over, or from the Cookie header', () => {
    expect(deviceCookieOf(event({ cookies: ['other=1', 'mysimbdp_device=a.b.c'] }))).toBe('a.b.c');
    expect(deviceCookieOf(event({ headers: { cookie: 'other=1; mysimbdp_device=a.b=c' } }))).toBe('a.b=c');
    expect(deviceCookieOf(event({ cookies: ['mysimbdp_devices=x', 'mysimbdp_device='] }))).toBeUndefined();
    expect(deviceCookieOf(event({}))).toBeUndefined();
  });

  it('knows HTTPS from the header API Gateway sets', () => {
    expect(overHttps(event({ headers: { 'x-forwarded-proto': 'https' } }))).toBe(true);
    expect(overHttps(event({ headers: { 'x-forwarded-proto': 'http' } }))).toBe(false);
    expect(overHttps(event({}))).toBe(false);
  });
});
