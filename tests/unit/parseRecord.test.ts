import { z } from 'zod';
import { parseRecord, RecordError } from '../../layers/platform/src/tenantApp';

const Reading = z.object({
  device: z.string().min(1),
  temperature: z.number().min(-50),
  tags: z.array(z.string()).optional(),
});

describe("a tenant app's record checked against its schema", () => {
  it('gives the parsed record when it is valid', () => {
    expect(parseRecord(Reading, { device: 'tracker-1', temperature: 21.5, extra: 'dropped' })).toEqual({ device: 'tracker-1', temperature: 21.5 });
  });

  it('refuses an invalid record with a RecordError naming each bad field', () => {
    const refuse = () => parseRecord(Reading, { device: '', temperature: -60, tags: ['a', 3] });
    expect(refuse).toThrow(RecordError);
    expect(refuse).toThrow(/^device: .+; temperature: .+; tags\.1: .+$/);
  });

  it('names the record itself when what is wrong is not a field', () => {
    expect(() => parseRecord(Reading, 'not an object')).toThrow(/^record: /);
  });
});
