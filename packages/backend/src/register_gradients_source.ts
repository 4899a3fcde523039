/**
 * Registers every tfjs-core gradient when this package runs from its TypeScript sources (tests, `tsx`
 * with the `source` condition), where the Node bundle `dist/register_gradients.node.js` is not built. The
 * union package's Node build registers the same gradient list; it is a development dependency only.
 */
import '@tensorflow/tfjs';
