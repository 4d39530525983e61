import { cpuFloorSeconds, withinFloor } from '../../bench/cpuFloor';

describe("a load's CPU floor", () => {
  it("is the CPU the loader, the nodes and LocalStack spent over the cores, and none when the nodes' was not measured", () => {
    expect(cpuFloorSeconds({ cpuSeconds: 21.6, nodeCpuSeconds: 36, localStackCpuSeconds: 4.8 }, 2)).toBeCloseTo(31.2);
    expect(cpuFloorSeconds({ cpuSeconds: 60, nodeCpuSeconds: 45 }, 2)).toBeCloseTo(52.5);
    expect(cpuFloorSeconds({ cpuSeconds: 60, nodeCpuSeconds: 45 }, 4)).toBeCloseTo(26.25);
    expect(cpuFloorSeconds({ cpuSeconds: 60 }, 2)).toBeUndefined();
  });

  it('says whether a time target is reachable at that floor, and by how much the CPU per row must fall when it is not', () => {
    expect(withinFloor(35, 31.2)).toBe('35.0 s, above its CPU floor of 31.2 s: reachable at its CPU per row');
    expect(withinFloor(30.6, 31.2)).toBe(
      "30.6 s, under its CPU floor of 31.2 s: out of reach on these cores until its CPU per row (its own, the nodes', LocalStack's) is 2 % lower",
    );
  });
});
