import { availableParallelism } from 'node:os';

/** What a load cost this machine's cores, in CPU seconds (user and system). */
export interface LoadCpu {
  /** The loader's own processes. */
  readonly cpuSeconds: number;
  /** The Cassandra nodes while the loader ran (undefined: not measured for this load). */
  readonly nodeCpuSeconds?: number;
  /** LocalStack while the loader ran: the platform's S3 and SQS, which share these cores here (none on AWS). */
  readonly localStackCpuSeconds?: number;
}

/**
 * The shortest time a load could take on this machine at the CPU it spent:
 * every CPU-second it cost (its own, the nodes', LocalStack's) divided by the
 * cores. The loader, the nodes and LocalStack share the same cores, so no
 * scheduling of the same work finishes sooner; a load that takes longer than
 * its floor left cores idle (waiting on I/O, one phase after another, a last
 * chunk alone). Only a lower CPU per row lowers the floor. Undefined when the
 * nodes' CPU was not measured for the load.
 *
 * @example
 * cpuFloorSeconds({ cpuSeconds: 21.6, nodeCpuSeconds: 36, localStackCpuSeconds: 4.8 }, 2); // 31.2
 */
export function cpuFloorSeconds(load: LoadCpu, cores = availableParallelism()): number | undefined {
  if (load.nodeCpuSeconds === undefined) return undefined;
  return (load.cpuSeconds + load.nodeCpuSeconds + (load.localStackCpuSeconds ?? 0)) / cores;
}

/**
 * Whether `seconds` can be reached by a load with that floor: the verdict on
 * a time target (such as twice a peer's speed) before any tuning of overlap or
 * scheduling, in words for the targets line.
 */
export function withinFloor(targetSeconds: number, floorSeconds: number): string {
  return targetSeconds >= floorSeconds
    ? `${targetSeconds.toFixed(1)} s, above its CPU floor of ${floorSeconds.toFixed(1)} s: reachable at its CPU per row`
    : `${targetSeconds.toFixed(1)} s, under its CPU floor of ${floorSeconds.toFixed(1)} s: out of reach on these cores until its CPU per row (its own, the nodes', LocalStack's) is ${Math.ceil((1 - targetSeconds / floorSeconds) * 100)} % lower`;
}
