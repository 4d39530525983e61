import { setTimeout as sleep } from 'node:timers/promises';
import { HealthCheck } from '../../layers/platform/src/health/HealthCheck';

describe('the health check', () => {
  it('is up only when every service is up, and says which is down and why', async () => {
    const check = new HealthCheck(
      {
        s3: () => Promise.resolve(),
        sqs: () => Promise.resolve(),
        cassandra: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9042')),
        rabbitmq: () => sleep(1000),
      },
      200,
    );
    const report = await check.run();
    expect(report.status).toBe('down');
    expect(report.services.s3.status).toBe('up');
    expect(report.services.cassandra).toMatchObject({ status: 'down', error: 'connect ECONNREFUSED 127.0.0.1:9042' });
    expect(report.services.rabbitmq).toMatchObject({ status: 'down', error: 'no answer within 200 ms' });
    expect(report.services.rabbitmq.latencyMs).toBeGreaterThanOrEqual(190);
  });

  it('probes the services at the same time', async () => {
    const slow = () => sleep(150);
    const started = performance.now();
    const report = await new HealthCheck({ s3: slow, sqs: slow, cassandra: slow, rabbitmq: slow }).run();
    expect(report.status).toBe('up');
    expect(performance.now() - started).toBeLessThan(450);
  });
});
