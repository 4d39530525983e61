import { setTimeout as sleep } from 'node:timers/promises';
import { Supervisor, type Supervised } from '../../localstack/Supervisor';

/** Something that dies when told to, and whose restart may fail a few times first. */
function mortal(name: string, failingRestarts = 0): Supervised & { kill(): void; revives: number } {
  let running = true;
  let failures = failingRestarts;
  return {
    name,
    revives: 0,
    kill() {
      running = false;
    },
    alive: () => Promise.resolve(running),
    revive() {
      this.revives += 1;
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new Error('port 4566 is taken\nmore detail'));
      }
      running = true;
      return Promise.resolve();
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe("npm start's supervisor", () => {
  it('restarts what died, says so, and leaves the living alone', async () => {
    const said: string[] = [];
    const dying = mortal('localstack');
    const living = mortal('cassandra');
    const supervisor = new Supervisor([dying, living], (line) => said.push(line), { intervalMs: 50 });
    supervisor.watch();
    try {
      dying.kill();
      await until(() => supervisor.restarts.get('localstack') === 1);
      expect(living.revives).toBe(0);
      expect(said[0]).toBe('localstack died; restarting it');
      expect(said[1]).toMatch(/^localstack is back after \d+\.\d s$/);
    } finally {
      supervisor.stop();
    }
  });

  it('does not restart on a single failed check', async () => {
    let checks = 0;
    const flaky: Supervised = { name: 'flaky', alive: () => Promise.resolve((checks += 1) !== 2), revive: () => Promise.resolve() };
    const supervisor = new Supervisor([flaky], () => undefined, { intervalMs: 20 });
    supervisor.watch();
    await until(() => checks >= 6);
    supervisor.stop();
    expect(supervisor.restarts.get('flaky')).toBeUndefined();
  });

  it('tries a failed restart again with a growing delay, naming why', async () => {
    const said: string[] = [];
    const stubborn = mortal('rabbitmq', 1);
    const supervisor = new Supervisor([stubborn], (line) => said.push(line), { intervalMs: 20, maxBackoffMs: 50 });
    supervisor.watch();
    try {
      stubborn.kill();
      await until(() => supervisor.restarts.get('rabbitmq') === 1, 15_000);
      expect(stubborn.revives).toBe(2);
      expect(said).toContain('rabbitmq could not be restarted (port 4566 is taken); trying again in 0.05 s');
    } finally {
      supervisor.stop();
    }
  });
});
