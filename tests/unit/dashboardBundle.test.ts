import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

// The dashboard reads the API's contract as types, which leave nothing in the
// bundle. The bundle must take of the platform's code only the plain modules
// the page runs, never zod or a server module.
const PLATFORM_MODULES_THE_PAGE_RUNS = [
  'layers/platform/src/errors.ts',
  'layers/platform/src/tenants/FileFormat.ts',
  'layers/platform/src/uploads/fileName.ts',
];

describe('the dashboard bundle', () => {
  it('takes of the platform only the modules the page runs, and of the packages only uPlot', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../../clients/dashboard/src/main.ts', import.meta.url))],
      outdir: 'out',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => input.includes('layers/')).sort()).toEqual(PLATFORM_MODULES_THE_PAGE_RUNS);
    expect(inputs.filter((input) => input.includes('node_modules/') && !input.includes('node_modules/uplot/'))).toEqual([]);
  });
});
