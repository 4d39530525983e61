import type cassandra from 'cassandra-driver';

/**
 * Stream messages of the zoo tenant: NDJSON readings spread over `devices`
 * trackers, each with its message id in `msg_id`, and the ids of the rows they
 * become in `test_tenant_zoo.live_readings`.
 */
export function liveReadings(prefix: string, count: number, dayStart: number, devices = 1): { ids: string[]; text: string } {
  const ids = Array.from({ length: count }, (_, n) => `${prefix}-${n}`);
  const lines = ids.map((id, n) =>
    JSON.stringify({
      msg_id: id,
      'dev-id': deviceOf(prefix, n % devices, devices),
      time: dayStart + n,
      temperature: 20 + (n % 10),
      humidity: 50,
      battery: 2900,
    }),
  );
  return { ids, text: `${lines.join('\n')}\n` };
}

function deviceOf(prefix: string, device: number, devices: number): string {
  return devices === 1 ? prefix : `${prefix}-d${device}`;
}

/** The message ids written to `test_tenant_zoo.live_readings` for the trackers of `prefix` on `day`. */
export async function landedReadings(client: cassandra.Client, prefix: string, day: string, devices = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let device = 0; device < devices; device += 1) {
    const result = await client.execute(
      'SELECT message_id FROM test_tenant_zoo.live_readings WHERE dev_id = ? AND day = ?',
      [deviceOf(prefix, device, devices), day],
      {
        fetchSize: 100_000,
      },
    );
    ids.push(...result.rows.map((row) => row.get('message_id') as string));
  }
  return ids;
}
