import { DEFAULT_PLAN_RANGE_CHUNKS, loadPlatformConfig } from '../../layers/platform/src/config/PlatformConfig';
import { renderServerlessTopology } from '../../layers/platform/src/topology/serverlessTopology';

const base = { MYSIMBDP_STAGE: 'prod' };

describe('the chunks in each range of a file planned in ranges', () => {
  it('are 8 by default (256 MiB ranges of 32 MiB chunks), or what MYSIMBDP_PLAN_RANGE_CHUNKS says, passed on to the functions', () => {
    expect(loadPlatformConfig(base).batch.planRangeChunks).toBe(DEFAULT_PLAN_RANGE_CHUNKS);
    expect(DEFAULT_PLAN_RANGE_CHUNKS).toBe(8);
    const env = { ...base, MYSIMBDP_PLAN_RANGE_CHUNKS: '4' };
    expect(loadPlatformConfig(env).batch.planRangeChunks).toBe(4);
    expect(renderServerlessTopology('prod', env).environment.MYSIMBDP_PLAN_RANGE_CHUNKS).toBe('4');
  });

  it.each(['0', '-1', '1.5', '65', 'many'])('refuse %s, naming the variable', (value) => {
    expect(() => loadPlatformConfig({ ...base, MYSIMBDP_PLAN_RANGE_CHUNKS: value })).toThrow('MYSIMBDP_PLAN_RANGE_CHUNKS');
  });
});
