// convnetjs.mjs: ConvNetJS (npm convnetjs 0.3.0) on workloads 1 and 3 of
// nnplay's benchmarks, one process. Workload 1 is the classify2d demo's
// default (2-6-2-2 tanh + softmax, SGD lr 0.01 momentum 0.1 batch 10 l2 0.001,
// 100 points; a frame = 20 passes over the data + an 81x81 grid forward).
// Workload 3 is 2-16-16-3 ReLU + softmax, batch 32: ConvNetJS 0.3.0 has no
// Adam, so it uses SGD with momentum (the update is a small share of a step).
import { createRequire } from 'node:module';
import { budget, circle, finish, record, spiral, timePerCall } from './common.mjs';

const convnetjs = createRequire(import.meta.url)('convnetjs');

function makeNet(hidden, act, classes) {
  const defs = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: 2 }];
  for (const h of hidden) defs.push({ type: 'fc', num_neurons: h, activation: act });
  defs.push({ type: 'softmax', num_classes: classes });
  const net = new convnetjs.Net();
  net.makeLayers(defs);
  return net;
}

// ---- 1. classify2d default ----
{
  process.stderr.write('[1] ConvNetJS classify2d default\n');
  const data = circle(100, 0.1, 7);
  const net = makeNet([6, 2], 'tanh', 2);
  const trainer = new convnetjs.SGDTrainer(net, { learning_rate: 0.01, momentum: 0.1, batch_size: 10, l2_decay: 0.001 });
  const x = new convnetjs.Vol(1, 1, 2);
  const epoch = () => { for (const p of data) { x.w[0] = p.x; x.w[1] = p.y; trainer.train(x, p.label); } };
  const perEpoch = timePerCall(epoch, budget(1.0));
  record('w1.train_sps', data.length / perEpoch, 'samples/s', 'training samples/s (trainer.train per sample)');
  const gx = new convnetjs.Vol(1, 1, 2);
  const frame = timePerCall(() => {
    for (let it = 0; it < 20; it++) epoch();
    for (let cx = 0; cx <= 80; cx++) for (let cy = 0; cy <= 80; cy++) {
      gx.w[0] = -1.2 + 2.4 * cx / 80; gx.w[1] = -1.2 + 2.4 * cy / 80;
      net.forward(gx, false);
    }
  }, budget(1.0));
  record('w1.frames_per_s', 1 / frame, 'frames/s', 'classify2d frames/s: 20 epochs of 100 points + 81x81 grid (no drawing)');
}

// ---- 3. 2-16-16-3 ReLU spiral ----
{
  process.stderr.write('[3] ConvNetJS 2-16-16-3 ReLU spiral\n');
  const data = spiral(300, 0.2, 3, 3);
  const net = makeNet([16, 16], 'relu', 3);
  const trainer = new convnetjs.SGDTrainer(net, { learning_rate: 0.01, momentum: 0.9, batch_size: 32, l2_decay: 0.001 });
  const x = new convnetjs.Vol(1, 1, 2);
  const perEpoch = timePerCall(() => { for (const p of data) { x.w[0] = p.x; x.w[1] = p.y; trainer.train(x, p.label); } }, budget(1.0));
  record('w3.train_sps', data.length / perEpoch, 'samples/s', 'training samples/s, 2-16-16-3 ReLU, SGD+momentum batch 32 (no Adam in 0.3.0)');
  // 64 rows of the 512x512 grid, one forward per pixel.
  const G = 512, rows = 64;
  const t = timePerCall(() => {
    for (let r = 0; r < rows; r++) for (let c = 0; c < G; c++) {
      x.w[0] = -1.2 + 2.4 * (c + 0.5) / G; x.w[1] = 1.2 - 2.4 * (r + 0.5) / G;
      net.forward(x, false);
    }
  }, budget(1.0));
  record('w3.grid_pps', rows * G / t, 'points/s', '512x512 grid points/s, net.forward per pixel, idle');
}
finish('convnetjs');
