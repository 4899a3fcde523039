const t0=performance.now();
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-wasm');
const t1=performance.now();
await import('./_gnode.mjs');
const t2=performance.now();
await tf.setBackend('wasm'); await tf.ready();
const g = tf.grad((x) => tf.sum(tf.matMul(tf.tanh(x), x)));
console.log(g(tf.tensor2d([[1,2],[3,4]])).arraySync(), tf.getBackend(), (t1-t0).toFixed(0), (t2-t1).toFixed(0));
