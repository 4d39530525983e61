// A Lambda-like sandbox for benchmarks: one process runs one function bundle
// (the same esbuild output serverless offline and `serverless deploy` use) on
// one event, then reports the result and the process's peak RSS, as Lambda
// reports "Max Memory Used".
//   node bench/lambdaSandbox.mjs <bundle.mjs> <event.json>
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const started = performance.now();
const deadline = Date.now() + 900_000;
const result = await handler(event, {
  functionName: 'batchIngest',
  awsRequestId: randomUUID(),
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => deadline - Date.now(),
});
console.log(JSON.stringify({ result, seconds: (performance.now() - started) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
process.exit(0);
