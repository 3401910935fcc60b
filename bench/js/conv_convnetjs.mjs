// conv_convnetjs.mjs: ConvNetJS (npm convnetjs 0.3.0) on workload 6 of
// nnplay's benchmarks: its own MNIST demo network (24x24x1 -> conv 5x5, 8
// filters, pad 2, ReLU -> max pool 2 -> conv 5x5, 16 filters, pad 2, ReLU ->
// max pool 3 -> softmax 10) on random images, batch 20, trained with SGD +
// momentum 0.9, lr 0.01, no weight decay (the optimiser nnplay, ConvNetJS and
// tf.js all have; the demo itself uses adadelta, which would cost ConvNetJS a
// little more per update).
import { createRequire } from 'node:module';
import { budget, finish, record, rng, timePerCall } from './common.mjs';

const convnetjs = createRequire(import.meta.url)('convnetjs');

process.stderr.write('[6] ConvNetJS MNIST demo net, batch 20, SGD+momentum\n');
const net = new convnetjs.Net();
net.makeLayers([
  { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
  { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
  { type: 'pool', sx: 3, stride: 3 },
  { type: 'softmax', num_classes: 10 },
]);
const trainer = new convnetjs.SGDTrainer(net, { method: 'sgd', learning_rate: 0.01, momentum: 0.9, batch_size: 20, l2_decay: 0 });
const r = rng(6), images = [], labels = [];
for (let i = 0; i < 200; i++) {
  const v = new convnetjs.Vol(24, 24, 1, 0.0);
  for (let k = 0; k < v.w.length; k++) v.w[k] = r();
  images.push(v);
  labels.push(Math.floor(r() * 10));
}
let at = 0;
// One minibatch: 20 calls of trainer.train (it updates every 20th sample).
const batch = () => { for (let i = 0; i < 20; i++) { trainer.train(images[at], labels[at]); at = (at + 1) % 200; } };
const t = timePerCall(batch, budget(2.0), 3);
record('w6.train_sps', 20 / t, 'samples/s', 'training samples/s, MNIST demo net, SGD+momentum batch 20');
finish('convnetjs-conv');
