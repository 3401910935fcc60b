// tfjs.mjs: TensorFlow.js (tfjs-core 4.22 with the wasm backend, then the
// cpu backend) on the batched forward pass of workload 3 — 262144 points
// (a 512x512 grid) through 2-16-16-3 ReLU to 3 scores, as matMul + add +
// relu ops on [262144, 2] input — a float32 256^3 matMul (workload 5), and
// training an MLP 784-256-256-10 (ReLU, softmax cross-entropy, Adam lr 1e-3
// eps 1e-8, batch 64) with tf.train.adam on random inputs (workload 7).
// Usage: node tfjs.mjs wasm|cpu
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { budget, finish, record, timePerCall } from './common.mjs';

const backend = process.argv[2] || 'wasm';
await tf.setBackend(backend);
await tf.ready();
let detail = backend;
if (backend === 'wasm') {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  detail = `wasm${simd ? '+simd' : ''}${mt ? '+threads' : ''}`;
}
process.stderr.write(`[3] tf.js ${detail}: batched forward of 2-16-16-3 ReLU over 512x512\n`);

const G = 512, N = G * G;
const xy = new Float32Array(N * 2);
for (let r = 0; r < G; r++) for (let c = 0; c < G; c++) {
  xy[2 * (r * G + c)] = -1.2 + 2.4 * (c + 0.5) / G;
  xy[2 * (r * G + c) + 1] = 1.2 - 2.4 * (r + 0.5) / G;
}
const X = tf.tensor2d(xy, [N, 2]);
// Layout as tf.layers.dense: kernel (in x out), bias (out).
const W1 = tf.randomNormal([2, 16], 0, 1, 'float32', 1), b1 = tf.zeros([16]);
const W2 = tf.randomNormal([16, 16], 0, 0.35, 'float32', 2), b2 = tf.zeros([16]);
const W3 = tf.randomNormal([16, 3], 0, 0.35, 'float32', 3), b3 = tf.zeros([3]);
const forward = () => tf.tidy(() => {
  const h1 = tf.relu(tf.add(tf.matMul(X, W1), b1));
  const h2 = tf.relu(tf.add(tf.matMul(h1, W2), b2));
  return tf.add(tf.matMul(h2, W3), b3);
});
const t = timePerCall(() => { const s = forward(); s.dataSync(); s.dispose(); }, budget(1.5));
record('w3.forward_pps', N / t, 'points/s', `batched forward 262144x2 -> 3 scores (${detail}, dataSync included)`);

const n = 256;
const A = tf.randomUniform([n, n], -0.5, 0.5, 'float32', 4), B = tf.randomUniform([n, n], -0.5, 0.5, 'float32', 5);
const tm = timePerCall(() => { const C = tf.matMul(A, B); C.dataSync(); C.dispose(); }, budget(1.0));
record('w5.gflops', 2 * n * n * n / tm / 1e9, 'GFLOP/s', `float32 256^3 tf.matMul (${detail})`);
// ---- 7. MLP 784-256-256-10, Adam batch 64 ----
{
  process.stderr.write(`[7] tf.js ${detail}: MLP 784-256-256-10, Adam batch 64\n`);
  const B = 64, D = 784, H = 256, C = 10, batches = 8;
  const xsb = [], ysb = [];
  for (let i = 0; i < batches; i++) {
    xsb.push(tf.randomUniform([B, D], 0, 1, 'float32', 10 + i));
    const labels = tf.tensor1d(Array.from({ length: B }, (_, k) => (k * 7 + i) % C), 'int32');
    ysb.push(tf.oneHot(labels, C).toFloat());
  }
  const v = (shape, std, seed) => tf.variable(std > 0 ? tf.randomNormal(shape, 0, std, 'float32', seed) : tf.zeros(shape));
  const W1 = v([D, H], Math.sqrt(2 / D), 21), c1 = v([H], 0), W2 = v([H, H], Math.sqrt(2 / H), 22), c2 = v([H], 0);
  const W3 = v([H, C], Math.sqrt(2 / H), 23), c3 = v([C], 0);
  const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  let at = 0;
  const step = () => {
    const xb = xsb[at], yb = ysb[at];
    at = (at + 1) % batches;
    const cost = opt.minimize(() => {
      const h1 = tf.relu(tf.add(tf.matMul(xb, W1), c1));
      const h2 = tf.relu(tf.add(tf.matMul(h1, W2), c2));
      return tf.losses.softmaxCrossEntropy(yb, tf.add(tf.matMul(h2, W3), c3));
    }, true, [W1, c1, W2, c2, W3, c3]);
    cost.dataSync();  // the loss, as nnplay's step returns it
    cost.dispose();
  };
  const ts = timePerCall(step, budget(1.5), 5);
  record('w7.train_sps', B / ts, 'samples/s', `training samples/s, MLP 784-256-256-10, tf.train.adam batch 64 (${detail}, loss read back each step)`);
}
finish(`tfjs-${backend}`, { detail });
