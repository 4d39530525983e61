// `npm run bench:login`: how long a real tenant's login takes while a login
// flood runs: 40 failing logins, 10 at a time, from one source address
// (127.0.0.2), while tenant zoo logs in again and again from another
// (127.0.0.1). Runs on stage test (port 3100) as `npm test` sets it up, so on
// a shared machine run it under the test lock. Appends to BENCHMARKS.md.
import { cpus, loadavg } from 'node:os';
import { LocalCloud } from '../localstack/LocalCloud';
import { ServerlessOffline } from '../localstack/PlatformProcess';
import { provisionLocal } from '../localstack/provisionLocal';
import { resetLocalStage } from '../localstack/resetLocalStage';
import { runLoginFlood } from '../tests/helpers/loginFlood';
import { loginFrom, requestFrom, type RawReply } from '../tests/helpers/requestFrom';
import { appendBenchmark, markdownTable } from './benchmarksFile';
import { describeMachine, today } from './machine';

const FAILING_LOGINS = Number(process.env.BENCH_FAILING_LOGINS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_FLOOD_CONCURRENCY ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const say = (message: string): void => console.log(`[bench:login] ${message}`);
const valid = { from: '127.0.0.1', tenant: 'zoo', password: 'zoo-demo-password' };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function statuses(replies: RawReply[]): string {
  const counts = new Map<number, number>();
  for (const reply of replies) counts.set(reply.status, (counts.get(reply.status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} × ${status}`).join(', ');
}

const loadBefore = loadavg()[0] ?? 0;
const cloud = new LocalCloud();
const started = await cloud.start(say);
await resetLocalStage('test');
await provisionLocal('test', say);
const offline = new ServerlessOffline('test', { POWERTOOLS_LOG_LEVEL: 'WARN' });
const quiet: number[] = [];
const during: RawReply[] = [];
const floods: Array<{ replies: RawReply[]; ms: number }> = [];
try {
  await offline.start();
  // A live platform's login function has warm instances: start a dozen (a body
  // that is not JSON is refused before the throttle), then the valid login alone.
  await Promise.all(
    Array.from({ length: 12 }, () =>
      requestFrom({ method: 'POST', url: `${offline.apiUrl}/auth/login`, headers: { 'content-type': 'text/plain' }, body: 'warm-up' }),
    ),
  );
  await loginFrom(offline.apiUrl, valid.from, valid.tenant, valid.password);
  for (let n = 0; n < 10; n += 1) quiet.push((await loginFrom(offline.apiUrl, valid.from, valid.tenant, valid.password)).ms);
  // Each round floods from its own address, so that each starts unthrottled.
  for (let round = 0; round < ROUNDS; round += 1) {
    const result = await runLoginFlood({
      apiUrl: offline.apiUrl,
      floodFrom: `127.0.0.${round + 2}`,
      failingLogins: FAILING_LOGINS,
      concurrency: CONCURRENCY,
      floodTenant: (n) => `nobody${round}x${n}`,
      valid,
    });
    floods.push({ replies: result.flood, ms: result.floodMs });
    during.push(...result.valid);
    say(
      `round ${round + 1}: flood ${statuses(result.flood)} in ${Math.round(result.floodMs)} ms; valid logins ${statuses(result.valid)}, max ${Math.round(Math.max(...result.valid.map((r) => r.ms)))} ms`,
    );
  }
} finally {
  await offline.stop();
  await cloud.stop(started);
}

const row = (what: string, values: number[]): Array<string | number> => [
  what,
  values.length,
  Math.round(percentile(values, 50)),
  Math.round(percentile(values, 90)),
  Math.round(Math.max(...values)),
];
const duringMs = during.map((reply) => reply.ms);
const floodReplies = floods.flatMap((flood) => flood.replies);
await appendBenchmark(`## Logins under a login flood, ${today()}

Machine: ${describeMachine()}.

\`npm run bench:login\`, serverless offline on stage test: ${ROUNDS} rounds of ${FAILING_LOGINS} failing logins (unknown tenant ids), ${CONCURRENCY} at a time, each round from its own source address, while tenant zoo logs in one login after the other from another address; a dozen instances of the login function warmed first. Commit ${process.env.BENCH_LABEL ?? 'working tree'}; ${cpus().length} cores shared with Cassandra, LocalStack and RabbitMQ (and whatever else ran: load average ${loadBefore.toFixed(1)} before the run, ${(loadavg()[0] ?? 0).toFixed(1)} after).

${markdownTable(['valid login', 'logins', 'p50 ms', 'p90 ms', 'max ms'], [row('alone', quiet), row('during the flood', duringMs)])}

Flood answers: ${statuses(floodReplies)}; flood time per round ${floods.map((flood) => `${Math.round(flood.ms)} ms`).join(', ')}. Valid logins during the flood: ${statuses(during)}.
`);
say(
  `valid login alone p50 ${Math.round(percentile(quiet, 50))} ms; during the flood p50 ${Math.round(percentile(duringMs, 50))} ms, max ${Math.round(Math.max(...duringMs))} ms; appended to BENCHMARKS.md`,
);
process.exit(0);
