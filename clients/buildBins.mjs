// Bundles the command-line tools into standalone files for the package's
// `bin` (run on `npm install` / `npm ci` by the `prepare` script):
// dist/bin/fetchdata.mjs, dist/bin/ingestmessage.mjs, dist/bin/tenants.mjs.
// Install them on the PATH with `npm install -g .` (or `npm link`).
// Also builds the dashboard the platform serves (clients/dashboard/build.mjs).
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';
import { buildDashboard } from './dashboard/build.mjs';

const tools = ['fetchdata', 'ingestmessage', 'tenants'];
await build({
  entryPoints: Object.fromEntries(tools.map((tool) => [tool, `clients/${tool}.ts`])),
  outdir: 'dist/bin',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Bundled CommonJS dependencies (cassandra-driver) call require().
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
for (const tool of tools) await chmod(`dist/bin/${tool}.mjs`, 0o755);
await buildDashboard();
