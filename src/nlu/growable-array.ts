/** Append-only typed arrays that double their capacity: compact storage while the size is not known yet. */

/** A growing list of unsigned 32-bit integers. */
export class GrowableUint32 {
  private data = new Uint32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Uint32Array(this.data.length * 2));
    this.data[this.length++] = value;
  }

  /** The values so far (a view: valid until the next push). */
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

/** A growing list of 32-bit floats. */
export class GrowableFloat32 {
  private data = new Float32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Float32Array(this.data.length * 2));
    this.data[this.length++] = value;
  }

  /** The values so far (a view: valid until the next push). */
  view(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

function grow<T extends Uint32Array | Float32Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
