/**
 * Argument checks for the public boundary. Every message names the argument
 * and the function, in the style of tfjs's convertToTensor.
 */
export function assertPositiveInt(value: unknown, arg: string, fn: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`'${arg}' passed to '${fn}' must be a positive integer, got ${describe(value)}`);
  }
}

export function assertIntArray(value: unknown, arg: string, fn: string, { min = 1 } = {}): asserts value is number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error(`'${arg}' passed to '${fn}' must be a non-empty array of integers, got ${describe(value)}`);
  }
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new Error(`'${arg}[${i}]' passed to '${fn}' must be an integer >= ${min}, got ${describe(v)}`);
    }
  });
}

/** A short rendering of a bad argument for an error message (never dumps large data). */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) {
    const head = value.slice(0, 8).map(describe).join(', ');
    return value.length > 8 ? `[${head}, … (${value.length} items)]` : `[${head}]`;
  }
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null) {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  }
  return String(value);
}

export const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
