/** Append-only typed arrays that double their capacity: compact storage while the size is not known yet. */

type Numeric = Uint32Array | Float32Array;

class GrowableArray<T extends Numeric> {
  private data: T;
  length = 0;

  constructor(private readonly make: (size: number) => T) {
    this.data = make(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data as never);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** The values so far (a view: valid until the next push). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** A growing list of unsigned 32-bit integers. */
export class GrowableUint32 extends GrowableArray<Uint32Array> {
  constructor() {
    super((size) => new Uint32Array(size));
  }
}

/** A growing list of 32-bit floats. */
export class GrowableFloat32 extends GrowableArray<Float32Array> {
  constructor() {
    super((size) => new Float32Array(size));
  }
}
