/**
 * Registers every tfjs-core gradient, for bundlers and browsers (`#register-gradients` in package.json).
 * This is tfjs-core's own list, the module the `@tensorflow/tfjs` union imports for the same purpose.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
