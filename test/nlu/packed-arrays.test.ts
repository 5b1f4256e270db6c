import { describe, expect, it } from 'vitest';
import { packArrays, PackedArrays } from '../../src/nlu/packed-arrays.ts';

function sample() {
  return {
    ids: Uint32Array.from([0, 1, 2 ** 32 - 1, 123456789]),
    deltas: Int32Array.from([-(2 ** 31), -1, 0, 2 ** 31 - 1]),
    weights: Float32Array.from([0.1, -0, Number.POSITIVE_INFINITY, Number.NaN, 3.4e38, 1e-45]),
    empty: new Float32Array(0),
    exact: Float64Array.from([Math.PI, -Number.MIN_VALUE, Number.MAX_VALUE, Number.NaN]),
    odd: Uint32Array.from([7]),
  };
}

function bytes(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

describe('packed arrays', () => {
  for (const shared of [false, true]) {
    it(`round-trips every array bit for bit (${shared ? 'SharedArrayBuffer' : 'ArrayBuffer'})`, () => {
      const arrays = sample();
      const buffer = packArrays(arrays, { shared });
      expect(buffer instanceof SharedArrayBuffer).toBe(shared);
      const packed = PackedArrays.unpack(buffer);
      expect(packed.names).toEqual(Object.keys(arrays));
      for (const [name, original] of Object.entries(arrays)) {
        const view = packed.get(name);
        expect(view.constructor).toBe(original.constructor);
        expect(view.length).toBe(original.length);
        expect(bytes(view)).toEqual(bytes(original));
        expect(view.byteOffset % 8).toBe(0);
        expect(view.buffer).toBe(buffer);
      }
    });
  }

  it('maps views into the buffer rather than copies', () => {
    const buffer = packArrays({ a: Uint32Array.from([1, 2, 3]) });
    PackedArrays.unpack(buffer).uint32('a')[1] = 42;
    expect([...PackedArrays.unpack(buffer).uint32('a')]).toEqual([1, 42, 3]);
  });

  it('refuses a wrong type, a missing name and a buffer it did not make', () => {
    const packed = PackedArrays.unpack(packArrays({ a: Uint32Array.from([1]) }));
    expect(() => packed.float32('a')).toThrow(/Uint32Array, not a Float32Array/);
    expect(() => packed.uint32('b')).toThrow(/no array "b"/);
    expect(() => PackedArrays.unpack(new ArrayBuffer(64))).toThrow(/not a packed buffer/);
  });
});
