/**
 * Several named typed arrays in one ArrayBuffer or SharedArrayBuffer, and back as views without a copy.
 * Layout: a 16-byte header (magic, format version, byte length of the directory, start of the data), the
 * directory as UTF-8 JSON (name, type, byte offset from the data's start, length of each array), then each
 * array at an 8-byte aligned offset.
 */

export type PackableArray = Uint32Array | Int32Array | Float32Array | Float64Array;

const CONSTRUCTORS = { Uint32Array, Int32Array, Float32Array, Float64Array } as const;
type ArrayType = keyof typeof CONSTRUCTORS;

interface DirectoryEntry {
  name: string;
  type: ArrayType;
  offset: number;
  length: number;
}

const MAGIC = 0x48595041; // "HYPA"
const FORMAT_VERSION = 1;
const HEADER_BYTES = 16;
const ALIGN = 8;

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function typeOf(array: PackableArray): ArrayType {
  for (const type of Object.keys(CONSTRUCTORS) as ArrayType[]) if (array instanceof CONSTRUCTORS[type]) return type;
  throw new Error('only Uint32Array, Int32Array, Float32Array and Float64Array can be packed');
}

function viewOf(type: ArrayType, buffer: ArrayBufferLike, offset: number, length: number): PackableArray {
  switch (type) {
    case 'Uint32Array':
      return new Uint32Array(buffer, offset, length);
    case 'Int32Array':
      return new Int32Array(buffer, offset, length);
    case 'Float32Array':
      return new Float32Array(buffer, offset, length);
    case 'Float64Array':
      return new Float64Array(buffer, offset, length);
  }
}

/** Copies the arrays into one new buffer, shared between threads when `shared` is set. */
export function packArrays(arrays: Readonly<Record<string, PackableArray>>, options: { shared?: boolean } = {}): ArrayBuffer | SharedArrayBuffer {
  let dataBytes = 0;
  const directory: DirectoryEntry[] = Object.entries(arrays).map(([name, array]) => {
    const entry = { name, type: typeOf(array), offset: dataBytes, length: array.length };
    dataBytes = align(dataBytes + array.byteLength);
    return entry;
  });
  const json = Buffer.from(JSON.stringify(directory), 'utf8');
  const dataStart = align(HEADER_BYTES + json.length);
  const buffer = options.shared ? new SharedArrayBuffer(dataStart + dataBytes) : new ArrayBuffer(dataStart + dataBytes);
  new Uint32Array(buffer, 0, 4).set([MAGIC, FORMAT_VERSION, json.length, dataStart]);
  new Uint8Array(buffer, HEADER_BYTES, json.length).set(json);
  for (const d of directory) viewOf(d.type, buffer, dataStart + d.offset, d.length).set(arrays[d.name] as never);
  return buffer;
}

/** Named views into a packed buffer; the views share its memory. */
export class PackedArrays {
  private constructor(private readonly arrays: ReadonlyMap<string, PackableArray>) {}

  /** Maps the arrays of a buffer made by packArrays (throws on anything else). */
  static unpack(buffer: ArrayBuffer | SharedArrayBuffer): PackedArrays {
    if (buffer.byteLength < HEADER_BYTES) throw new Error('not a packed buffer: too short');
    const [magic, version, jsonLength, dataStart] = new Uint32Array(buffer, 0, 4);
    if (magic !== MAGIC) throw new Error('not a packed buffer: wrong magic number');
    if (version !== FORMAT_VERSION) throw new Error(`packed buffer format ${version}, expected ${FORMAT_VERSION}`);
    const json = Buffer.from(new Uint8Array(buffer, HEADER_BYTES, jsonLength!)).toString('utf8');
    const directory = JSON.parse(json) as DirectoryEntry[];
    const arrays = new Map<string, PackableArray>();
    for (const d of directory) {
      if (!Object.hasOwn(CONSTRUCTORS, d.type)) throw new Error(`packed array "${d.name}" has an unknown type ${d.type}`);
      arrays.set(d.name, viewOf(d.type, buffer, dataStart! + d.offset, d.length));
    }
    return new PackedArrays(arrays);
  }

  get names(): string[] {
    return [...this.arrays.keys()];
  }

  /** The array called `name`, whatever its type. */
  get(name: string): PackableArray {
    const array = this.arrays.get(name);
    if (!array) throw new Error(`packed buffer has no array "${name}"`);
    return array;
  }

  uint32(name: string): Uint32Array {
    return this.typed(name, Uint32Array);
  }

  int32(name: string): Int32Array {
    return this.typed(name, Int32Array);
  }

  float32(name: string): Float32Array {
    return this.typed(name, Float32Array);
  }

  float64(name: string): Float64Array {
    return this.typed(name, Float64Array);
  }

  private typed<T extends PackableArray>(name: string, type: new (...args: never[]) => T): T {
    const array = this.get(name);
    if (!(array instanceof type)) throw new Error(`packed array "${name}" is a ${array.constructor.name}, not a ${type.name}`);
    return array;
  }
}
