// conv_tfjs.mjs: TensorFlow.js (tfjs-core 4.22 with the wasm or the cpu
// backend) on workload 6 of nnplay's benchmarks: ConvNetJS's MNIST demo
// network (24x24x1 -> conv 5x5, 8 filters, 'same' = pad 2, ReLU -> max pool 2
// -> conv 5x5, 16 filters, pad 2, ReLU -> max pool 3 -> dense 10, softmax
// cross-entropy) on random images, batch 20, tf.train.momentum(0.01, 0.9)
// (SGD + momentum, as nnplay and ConvNetJS), one optimizer.minimize per step
// with the loss read back (dataSync), NHWC. tfjs-core's node bundle registers
// no gradients: dist/register_all_gradients does (@tensorflow/tfjs imports it).
//
// The wasm backend of 4.22 has no Conv2DBackpropFilter kernel, so a conv
// layer's filter gradient cannot be taken there. On wasm the conv layers are
// tf.customGrad functions: forward tf.conv2d and input gradient
// tf.conv2dTranspose (both wasm kernels, XNNPACK), filter gradient as one
// matMul per filter tap (F*F = 25 of x_padded[taps]^T dy, wasm kernels too).
// The cpu backend uses tf.conv2d's own gradient. Usage: node conv_tfjs.mjs wasm|cpu
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { register } from 'node:module';
import { budget, finish, record, rng, timePerCall } from './common.mjs';

// The gradients live in tfjs-core's ES module files (registered into the
// global registry the node bundle shares), loaded through conv_esm_hooks.mjs.
register('./conv_esm_hooks.mjs', import.meta.url);
await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');

const backend = process.argv[2] || 'wasm';
await tf.setBackend(backend);
await tf.ready();
let detail = backend;
if (backend === 'wasm') {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  detail = `wasm${simd ? '+simd' : ''}${mt ? '+threads' : ''}`;
}
const hasFilterGrad = tf.getKernel('Conv2DBackpropFilter', backend) !== undefined;
process.stderr.write(`[6] tf.js ${detail}: MNIST demo net, batch 20, momentum` +
  `${hasFilterGrad ? '' : ' (filter gradient by per-tap matMuls: no Conv2DBackpropFilter kernel)'}\n`);

const N = 20, F = 5, P = 2;
// conv 5x5 stride 1 pad 2 ('same') on NHWC x with filter W [F, F, C, K].
function conv(x, W) {
  if (hasFilterGrad) return tf.conv2d(x, W, 1, 'same');
  const f = tf.customGrad((x, W, save) => {
    save([x, W]);
    return {
      value: tf.conv2d(x, W, 1, 'same'),
      gradFunc: (dy, [x, W]) => {
        const [n, h, w, c] = x.shape, k = W.shape[3];
        const dx = tf.conv2dTranspose(dy, W, x.shape, 1, 'same');
        const xp = tf.pad(x, [[0, 0], [P, P], [P, P], [0, 0]]);
        const dy2 = tf.reshape(dy, [n * h * w, k]);
        const taps = [];
        for (let ky = 0; ky < F; ky++) for (let kx = 0; kx < F; kx++) {
          const s = tf.reshape(tf.slice(xp, [0, ky, kx, 0], [n, h, w, c]), [n * h * w, c]);
          taps.push(tf.matMul(s, dy2, true, false));  // (c, k)
        }
        return [dx, tf.reshape(tf.stack(taps), [F, F, c, k])];
      },
    };
  });
  return f(x, W);
}

const r = rng(6);
const xs = new Float32Array(200 * 576);
for (let i = 0; i < xs.length; i++) xs[i] = r();
const ys = new Int32Array(200);
for (let i = 0; i < 200; i++) ys[i] = Math.floor(r() * 10);
const batches = [];
for (let b = 0; b < 10; b++) {
  batches.push({
    x: tf.tensor4d(xs.subarray(b * N * 576, (b + 1) * N * 576), [N, 24, 24, 1]),
    y: tf.oneHot(tf.tensor1d(ys.subarray(b * N, (b + 1) * N), 'int32'), 10),
  });
}
const he = (shape, fanIn, seed) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed));
const W1 = he([5, 5, 1, 8], 25, 1), b1 = tf.variable(tf.zeros([8]));
const W2 = he([5, 5, 8, 16], 200, 2), b2 = tf.variable(tf.zeros([16]));
const W3 = he([256, 10], 256, 3), b3 = tf.variable(tf.zeros([10]));
const model = (x) => {
  const h1 = tf.maxPool(tf.relu(tf.add(conv(x, W1), b1)), 2, 2, 'valid');
  const h2 = tf.maxPool(tf.relu(tf.add(conv(h1, W2), b2)), 3, 3, 'valid');
  return tf.add(tf.matMul(tf.reshape(h2, [N, 256]), W3), b3);
};
const opt = tf.train.momentum(0.01, 0.9);
let at = 0, first = null, last = null;
const step = () => {
  const { x, y } = batches[at];
  at = (at + 1) % batches.length;
  const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model(x)), true);
  last = cost.dataSync()[0];
  if (first === null) first = last;
  cost.dispose();
};
const t = timePerCall(step, budget(2.0), 3);
if (!(Math.abs(first - Math.log(10)) < 1.5) || !(last < first)) throw new Error(`tf.js does not train: ${first} -> ${last}`);
record('w6.train_sps', N / t, 'samples/s', `training samples/s, MNIST demo net, momentum batch 20 (${detail}` +
  `${hasFilterGrad ? '' : ', filter gradient by 25 matMuls'})`);
finish(`tfjs-${backend}-conv`, { detail });
