import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where a client keeps the device tokens it was given, by API and tenant. */
export interface DeviceTokenStore {
  get(apiUrl: string, tenant: string): Promise<string | undefined>;
  put(apiUrl: string, tenant: string, token: string): Promise<void>;
}

/** Device tokens by API URL, then by tenant id. */
type Devices = Record<string, Record<string, string>>;

/**
 * The file the tools keep their device tokens in: `MYSIMBDP_DEVICES_FILE`
 * when set, else `mysimbdp/devices.json` under the user's configuration
 * folder (`$XDG_CONFIG_HOME`, by default `~/.config`).
 */
export function deviceTokenFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MYSIMBDP_DEVICES_FILE) return env.MYSIMBDP_DEVICES_FILE;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'mysimbdp', 'devices.json');
}

/** The API as the file keys it: its URL without a trailing slash. */
function apiKey(apiUrl: string): string {
  return new URL(apiUrl).toString().replace(/\/+$/, '');
}

/**
 * The device tokens `fetchdata` and `ingestmessage` were given at their
 * logins, one per API and tenant, in a JSON file only its owner may read
 * (0600, in a folder made 0700): a client that shows its tenant's device
 * token is not held back by the lockouts others cause from the same address.
 * The file is replaced whole (written aside, then renamed), so a reader never
 * sees half of it; an unreadable or malformed file counts as empty.
 *
 * @example
 * const devices = new DeviceTokenFile();
 * await devices.put('http://127.0.0.1:3000', 'zoo', reply.deviceToken);
 * await devices.get('http://127.0.0.1:3000', 'zoo'); // the token
 */
export class DeviceTokenFile implements DeviceTokenStore {
  constructor(readonly path = deviceTokenFilePath()) {}

  private async read(): Promise<Devices> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Devices) : {};
    } catch {
      return {};
    }
  }

  async get(apiUrl: string, tenant: string): Promise<string | undefined> {
    const token = (await this.read())[apiKey(apiUrl)]?.[tenant];
    return typeof token === 'string' ? token : undefined;
  }

  async put(apiUrl: string, tenant: string, token: string): Promise<void> {
    const devices = await this.read();
    const api = apiKey(apiUrl);
    devices[api] = { ...devices[api], [tenant]: token };
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const aside = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(aside, `${JSON.stringify(devices, null, 2)}\n`, { mode: 0o600 });
      // The mode of a new file is cut by the umask; make sure it is 0600 whatever the umask.
      await chmod(aside, 0o600);
      await rename(aside, this.path);
    } catch (error) {
      await rm(aside, { force: true });
      throw error;
    }
  }
}
