import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What one measured run of a command took. */
export interface ProcessMeasurement {
  /** The exit code, or null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Wall-clock time from spawn to exit. */
  seconds: number;
  /**
   * Peak resident memory of the command and all its descendants: the highest
   * sampled sum of their `VmRSS`, and never less than the largest `VmHWM`
   * (the kernel's exact high-water mark) that any one of them reported.
   * 0 where /proc is missing (not Linux).
   */
  peakRssBytes: number;
  /** How many processes (the command and its descendants) were seen. */
  processes: number;
  /**
   * CPU time, user and system, of the command and every descendant it waited
   * for (what the kernel adds to this process's children's times when it
   * reaps the command). 0 where /proc is missing.
   */
  cpuSeconds: number;
}

/** Clock ticks per second of the times in /proc/<pid>/stat. */
const CLOCK_TICKS = canReadProc() ? Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 : 100;

function canReadProc(): boolean {
  return existsSync('/proc/self/stat');
}

/** CPU seconds, user and system, a live process and its live descendants have used so far (0 without /proc). */
export function treeCpuSeconds(root: number): number {
  if (!canReadProc()) return 0;
  let ticks = 0;
  for (const pid of processTree(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name: utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Exited while we read.
    }
  }
  return ticks / CLOCK_TICKS;
}

/**
 * CPU seconds of this process's reaped children and their reaped descendants
 * (`cutime` + `cstime` of /proc/self/stat); measured around one command that
 * runs alone, the difference is that command's.
 */
export function reapedChildrenCpuSeconds(): number {
  if (!canReadProc()) return 0;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name: state is field 3, cutime and cstime fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

/** `VmRSS` and `VmHWM` of a process, in bytes; undefined once it is gone. */
function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** The pid and every live descendant of it, from the parent pids in /proc/<pid>/stat. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may itself hold spaces or parentheses: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const siblings = children.get(ppid) ?? [];
      siblings.push(Number(entry));
      children.set(ppid, siblings);
    } catch {
      // Exited while we read.
    }
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * Runs a command to completion, its output appended to `logPath`, and
 * measures its duration and the peak RSS of its process tree by polling
 * /proc every `intervalMs`, and its CPU time (Linux; GNU time is not needed).
 * Measure one command at a time: the CPU time counts every child this
 * process reaps meanwhile. Resolves whatever
 * the exit code; rejects only when the command cannot start.
 *
 * @example
 * const { seconds, peakRssBytes, exitCode } = await measureProcess('java', ['-version'], { logPath });
 */
export function measureProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; logPath: string; intervalMs?: number },
): Promise<ProcessMeasurement> {
  mkdirSync(dirname(options.logPath), { recursive: true });
  appendFileSync(options.logPath, `\n$ ${command} ${args.map((arg) => (/[\s'"*$]/.test(arg) ? `'${arg.replaceAll("'", `'\\''`)}'` : arg)).join(' ')}\n`);
  const canPoll = canReadProc();
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const cpuBefore = reapedChildrenCpuSeconds();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const write = (chunk: Buffer): void => appendFileSync(options.logPath, chunk);
    child.stdout.on('data', write);
    child.stderr.on('data', write);
    let peakTreeRss = 0;
    let peakHwm = 0;
    const seen = new Set<number>();
    const sample = (): void => {
      if (!canPoll || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      let treeRss = 0;
      for (const pid of processTree(child.pid)) {
        const memory = memoryOf(pid);
        if (!memory) continue;
        seen.add(pid);
        treeRss += memory.rss;
        peakHwm = Math.max(peakHwm, memory.hwm);
      }
      peakTreeRss = Math.max(peakTreeRss, treeRss);
    };
    sample();
    const timer = setInterval(sample, options.intervalMs ?? 100);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(new Error(`${command} could not start: ${error.message}; read ${options.logPath}`, { cause: error }));
    });
    child.on('close', (exitCode, signal) => {
      clearInterval(timer);
      resolve({
        exitCode,
        signal,
        seconds: (performance.now() - started) / 1000,
        peakRssBytes: Math.max(peakTreeRss, peakHwm),
        processes: seen.size,
        cpuSeconds: reapedChildrenCpuSeconds() - cpuBefore,
      });
    });
  });
}
