import { FairGate } from '../../localstack/offline/FairGate';

/** Acquires for `source` and records, when it is let in, which source it was. */
function enter(gate: FairGate, source: string, order: string[]): Promise<void> {
  return gate.acquire(source).then(() => {
    order.push(source);
  });
}

describe('the fair gate of a function shared by several event sources', () => {
  it('lets a source alone take every slot, and no more', async () => {
    const gate = new FairGate(3);
    const order: string[] = [];
    const entered = [1, 2, 3, 4].map(() => enter(gate, 'a', order));
    await Promise.all(entered.slice(0, 3));
    expect(order).toEqual(['a', 'a', 'a']);
    expect(gate.running).toBe(3);
    expect(gate.queued()).toEqual(new Map([['a', 1]]));
    gate.release();
    await entered[3];
    expect(gate.running).toBe(3);
  });

  it('serves the waiting sources in turn, however many messages one of them has queued', async () => {
    const gate = new FairGate(2);
    const order: string[] = [];
    await Promise.all([enter(gate, 'a', order), enter(gate, 'a', order)]);
    // A has eight more waiting before B's first two and C's one arrive.
    const waiting = [...Array.from({ length: 8 }, () => enter(gate, 'a', order)), enter(gate, 'b', order), enter(gate, 'b', order), enter(gate, 'c', order)];
    order.length = 0;
    for (let turn = 0; turn < 6; turn++) {
      gate.release();
      await Promise.resolve();
    }
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'a']);
    for (let turn = 0; turn < 5; turn++) gate.release();
    await Promise.all(waiting);
    expect(order.slice(6)).toEqual(['a', 'a', 'a', 'a', 'a']);
  });

  it('frees the slot when nobody waits, and refuses to be released more than acquired', async () => {
    const gate = new FairGate(1);
    await gate.acquire('a');
    gate.release();
    expect(gate.running).toBe(0);
    expect(() => gate.release()).toThrow('a gate released more often than acquired');
    expect(() => new FairGate(0)).toThrow(RangeError);
  });
});
