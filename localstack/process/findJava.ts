import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { output } from './run';

/** The major version a `java` reports (8 for "1.8.0_x", 17 for "17.0.15"), if it runs. */
function javaMajor(java: string): number | undefined {
  const version = output(java, ['-version']);
  const match = version && /version "(?:1\.)?(\d+)/.exec(version);
  return match ? Number(match[1]) : undefined;
}

/**
 * The first Java runtime whose major version `accepts` takes, trying JAVA_HOME's,
 * then the Java 17s under /usr/lib/jvm, the other JVMs there, and `java` on the PATH.
 *
 * @example
 * const java = findJava((major) => major === 11 || major === 17);
 */
export function findJava(accepts: (major: number) => boolean): string | undefined {
  const jvms = existsSync('/usr/lib/jvm') ? readdirSync('/usr/lib/jvm').map((dir) => join('/usr/lib/jvm', dir, 'bin', 'java')) : [];
  const candidates = [
    process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : undefined,
    ...jvms.filter((java) => /-17-|jdk-?17|17\.\d/.test(java)),
    ...jvms,
    'java',
  ].filter((candidate): candidate is string => Boolean(candidate));
  return candidates.find((java) => {
    const major = javaMajor(java);
    return major !== undefined && accepts(major);
  });
}
