/**
 * Argument checks for the public boundary. Every message names the argument
 * and the function, in the style of tfjs's convertToTensor. The generic checks
 * come from @ttrnn/tt so both packages word (and truncate) bad values alike.
 */
import { describeArgument } from '@ttrnn/tt';

export { assertPositiveInt, describeArgument as describe, prod } from '@ttrnn/tt';

export function assertOneOf<T extends string>(
  value: unknown,
  choices: readonly T[],
  arg: string,
  fn: string,
): asserts value is T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new Error(
      `'${arg}' passed to '${fn}' must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describeArgument(value)}`,
    );
  }
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
