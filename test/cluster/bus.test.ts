import { afterEach, describe, expect, it } from 'vitest';
import { LocalBus, type ClusterBus } from '../../src/cluster/bus.ts';
import { RedisBus } from '../../src/cluster/redis-bus.ts';
import { freePort } from '../support/server-process.ts';
import { testPrefix, testRedis } from '../support/redis.ts';
import { eventually } from '../support/test-server.ts';

const redisUrl = await testRedis('the cluster bus on Redis');
const open: ClusterBus[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

/** Collects what a handler receives. */
function inbox(): { got: string[]; handler: (m: string) => void } {
  const got: string[] = [];
  return { got, handler: (m) => got.push(m) };
}

/** Two instances' buses of one deployment. */
type Pair = () => Promise<[ClusterBus, ClusterBus]>;

const contract = (name: string, pair: Pair): void => {
  describe(`cluster bus contract: ${name}`, () => {
    it('delivers a message to every subscriber of the channel and says how many instances had one', async () => {
      const [a, b] = await pair();
      const one = inbox();
      const two = inbox();
      await a.subscribe('news', one.handler);
      await b.subscribe('news', two.handler);
      const reached = await a.publish('news', 'hello');
      expect(reached).toBeGreaterThanOrEqual(1);
      await eventually(() => (one.got.length && two.got.length ? true : undefined), 2000, 'both subscribers');
      expect(one.got).toEqual(['hello']);
      expect(two.got).toEqual(['hello']);
    });

    it('reaches nobody on a channel without subscribers, and stops after unsubscribe', async () => {
      const [a, b] = await pair();
      expect(await a.publish('nobody-listens', 'x')).toBe(0);
      const box = inbox();
      await b.subscribe('c', box.handler);
      await b.unsubscribe('c', box.handler);
      expect(await a.publish('c', 'after')).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(box.got).toEqual([]);
    });

    it('keeps other subscribers of a channel when one leaves', async () => {
      const [, b] = await pair();
      const first = inbox();
      const second = inbox();
      await b.subscribe('c', first.handler);
      await b.subscribe('c', second.handler);
      await b.unsubscribe('c', first.handler);
      await b.publish('c', 'still');
      await eventually(() => (second.got.length ? true : undefined), 2000, 'the remaining subscriber');
      expect(first.got).toEqual([]);
      expect(b.problem()).toBeNull();
    });
  });
};

contract('one instance (LocalBus)', async () => {
  const bus = new LocalBus();
  open.push(bus);
  return [bus, bus];
});

describe.skipIf(!redisUrl)('the Redis bus', () => {
  const prefix = testPrefix();
  const connect = async (id: string): Promise<RedisBus> => {
    const bus = await RedisBus.connect(redisUrl!, id, prefix, () => undefined);
    open.push(bus);
    return bus;
  };
  contract('two instances on Redis', async () => [await connect('a'), await connect('b')]);

  it('counts instances, not handlers: PUBLISH answers how many instances listen on the channel', async () => {
    const a = await connect('a');
    const b = await connect('b');
    await a.subscribe('conv', () => undefined);
    await a.subscribe('conv', () => undefined);
    expect(await b.publish('conv', 'x')).toBe(1);
    await b.subscribe('conv', () => undefined);
    expect(await b.publish('conv', 'x')).toBe(2);
  });

  it('reports an unreachable Redis as a problem instead of throwing at start', async () => {
    const problems: string[] = [];
    const bus = await RedisBus.connect(`redis://127.0.0.1:${await freePort()}`, 'down', prefix, (p) => problems.push(p));
    open.push(bus);
    expect(bus.problem()).toMatch(/^redis is /);
    await expect(bus.publish('x', 'y')).rejects.toThrow();
    await eventually(() => (problems.length ? true : undefined), 3000, 'the problem report');
    expect(problems[0]).toMatch(/redis at redis:\/\/127\.0\.0\.1:\d+/);
  });
});
