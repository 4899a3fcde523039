/**
 * Argument checks for the public boundary. Every message names the argument
 * and the function, in the style of tfjs's convertToTensor.
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

export function assertPositiveInt(value: unknown, arg: string, fn: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`'${arg}' passed to '${fn}' must be a positive integer, got ${describe(value)}`);
  }
}

export function assertOneOf<T extends string>(value: unknown, choices: readonly T[], arg: string, fn: string): asserts value is T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new Error(`'${arg}' passed to '${fn}' must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`);
  }
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
