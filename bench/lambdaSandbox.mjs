// A Lambda-like execution environment for benchmarks: one process loads one
// function bundle (the same esbuild output serverless offline and
// `serverless deploy` use) and runs it on the events its parent sends, one at
// a time, as a warm Lambda container does; after each it reports the result,
// how long it took and the process's peak RSS so far, as Lambda reports
// "Max Memory Used", and the CPU time it used (what a function's memory size
// buys on Lambda, so the per-chunk cost on AWS is figured from it).
//   child_process.fork('bench/lambdaSandbox.mjs', [bundle]); send({ id, event }) -> { id, result, seconds, cpuSeconds, maxRssBytes }
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [bundle, timeoutSeconds = '300'] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);

process.on('message', async ({ id, event }) => {
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const deadline = Date.now() + Number(timeoutSeconds) * 1000;
  let result;
  let error;
  try {
    result = await handler(event, {
      functionName: bundle,
      awsRequestId: randomUUID(),
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => deadline - Date.now(),
    });
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  }
  const cpu = process.cpuUsage(cpuAtStart);
  process.send({
    id,
    result,
    error,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  });
});
// Stopped by its parent (SIGTERM) once the run is over: exit as a process does, so that a profile asked for with
// `BENCH_PROFILE_DIR=<dir>` is written.
process.on('SIGTERM', () => process.exit(0));
process.send({ ready: true });
