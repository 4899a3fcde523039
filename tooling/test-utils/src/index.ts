export { assertClose, firstMismatch, maxAbsError } from './tolerance.js';
export type { Tolerance } from './tolerance.js';
