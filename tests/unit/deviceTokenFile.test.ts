import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceTokenFile, deviceTokenFilePath } from '../../clients/DeviceTokenFile';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mysimbdp-devices-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("the tools' device token file", () => {
  it('is MYSIMBDP_DEVICES_FILE when set, else mysimbdp/devices.json in the configuration folder', () => {
    expect(deviceTokenFilePath({ MYSIMBDP_DEVICES_FILE: '/somewhere/devices.json', XDG_CONFIG_HOME: '/config' })).toBe('/somewhere/devices.json');
    expect(deviceTokenFilePath({ XDG_CONFIG_HOME: '/config' })).toBe('/config/mysimbdp/devices.json');
    expect(deviceTokenFilePath({})).toMatch(/\/\.config\/mysimbdp\/devices\.json$/);
  });

  it('keeps one token per API and tenant, in a file and folder only its owner may read', async () => {
    const devices = new DeviceTokenFile(join(folder, 'config', 'mysimbdp', 'devices.json'));
    expect(await devices.get('http://127.0.0.1:3000', 'zoo')).toBeUndefined();
    await devices.put('http://127.0.0.1:3000', 'zoo', 'zoo-here');
    await devices.put('http://127.0.0.1:3000/', 'shop', 'shop-here');
    await devices.put('https://api.example.com', 'zoo', 'zoo-there');
    await devices.put('http://127.0.0.1:3000', 'zoo', 'zoo-here-again');
    expect(await devices.get('http://127.0.0.1:3000/', 'zoo')).toBe('zoo-here-again');
    expect(await devices.get('http://127.0.0.1:3000', 'shop')).toBe('shop-here');
    expect(await devices.get('https://api.example.com/', 'zoo')).toBe('zoo-there');
    expect(await devices.get('https://api.example.com', 'shop')).toBeUndefined();
    expect((await stat(devices.path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(folder, 'config', 'mysimbdp'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(devices.path, 'utf8'))).toEqual({
      'http://127.0.0.1:3000': { zoo: 'zoo-here-again', shop: 'shop-here' },
      'https://api.example.com': { zoo: 'zoo-there' },
    });
  });

  it('takes a malformed file as empty, and replaces it at the next login', async () => {
    const devices = new DeviceTokenFile(join(folder, 'devices.json'));
    await writeFile(devices.path, '{"http://127.0.0.1:3000": ');
    expect(await devices.get('http://127.0.0.1:3000', 'zoo')).toBeUndefined();
    await devices.put('http://127.0.0.1:3000', 'zoo', 'token');
    expect(await devices.get('http://127.0.0.1:3000', 'zoo')).toBe('token');
  });
});
