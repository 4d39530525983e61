import { createInterface } from 'node:readline';

/**
 * A secret from an environment variable or, on a terminal, from a prompt that
 * does not echo. Never from a command-line argument (it would show in `ps`).
 *
 * @example
 * const password = await readSecret('MYSIMBDP_PASSWORD', 'Password for tenant zoo: ');
 */
export async function readSecret(variable: string, prompt: string): Promise<string> {
  const fromEnv = process.env[variable];
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw new Error(`set ${variable} (no terminal to prompt on)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const output = rl as unknown as { _writeToOutput: (text: string) => void };
  process.stderr.write(prompt);
  output._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}
