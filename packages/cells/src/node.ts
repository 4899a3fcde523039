// @ttrnn/cells/node: everything in the main entry, plus saving and loading models on the file system.
// Importing it registers a tf.io router, so that `saveModel(model, 'file://dir')`, `saveModel(model, 'dir')`
// and `loadModel('dir/model.json')` work in Node; `fileSystem(path)` is the handler itself.
import { registerFileRouter } from './file_io.js';

registerFileRouter();

export * from './index.js';
export { fileRouter, fileSystem, registerFileRouter } from './file_io.js';
