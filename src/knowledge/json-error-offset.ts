/** Where a JSON text first goes wrong, for the error messages that V8 gives without a position ("Unexpected token"). */

const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/** The offset of the first character that makes `source` invalid JSON; undefined when it is valid (or too deeply nested to tell). */
export function jsonErrorOffset(source: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new JsonStop(i);
  };
  const space = (): void => {
    while (i < source.length && ' \t\n\r'.includes(source[i]!)) i++;
  };
  const string = (): void => {
    i++;
    while (i < source.length) {
      const c = source[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') fail();
      i += c === '\\' ? 2 : 1;
    }
    fail();
  };
  const container = (close: string, member: () => void): void => {
    i++;
    space();
    if (source[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      space();
      if (source[i] === ',') i++;
      else if (source[i] === close) {
        i++;
        return;
      } else fail();
    }
  };
  const value = (): void => {
    space();
    const c = source[i];
    if (c === '{') {
      container('}', () => {
        space();
        if (source[i] !== '"') fail();
        string();
        space();
        if (source[i] !== ':') fail();
        i++;
        value();
      });
    } else if (c === '[') container(']', value);
    else if (c === '"') string();
    else {
      LITERAL.lastIndex = i;
      const m = LITERAL.exec(source);
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value();
    space();
    if (i < source.length) fail();
    return undefined;
  } catch (e) {
    if (e instanceof JsonStop) return Math.min(e.offset, source.length);
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
}
