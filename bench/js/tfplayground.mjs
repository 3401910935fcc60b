// tfplayground.mjs: A PLAIN-JS RE-IMPLEMENTATION of TensorFlow Playground's
// per-sample algorithm (TF Playground is not on npm). It is NOT TensorFlow
// Playground's own code; it reproduces, structure for structure, what its
// nn.ts and playground.ts do on every step, so that its cost can be timed:
//  - the network is a graph of Node objects (bias, totalInput, output,
//    outputDer, inputDer, accInputDer, numAccumulatedDers, inputLinks,
//    outputs) joined by Link objects (weight, errorDer, accErrorDer,
//    numAccumulatedDers, isDead); weights start at Math.random() - 0.5,
//    biases at 0.1; hidden and output activation tanh (der 1 - tanh^2).
//  - oneStep(): for every training point in order: constructInput (the
//    enabled features), forwardProp, backProp with the squared error
//    (der = output - target, targets +-1), and updateWeights every batchSize
//    points (accumulated derivatives averaged, L2 regularisation term with
//    rate 0 as in the default); then getLoss over the training AND the test
//    points (0.5 (output - label)^2).
//  - updateUI -> updateDecisionBoundary: a DENSITY = 100 x 100 grid; for
//    every cell constructInput + forwardProp, and the output of EVERY node is
//    stored in boundary[node.id][i][j] (the playground draws each neuron's
//    thumbnail). Drawing itself (canvas, d3) is not timed.
// Workloads: the default (circle, 250 training + 250 test points, x and y
// inputs, 4-2 tanh hidden, lr 0.03, batch 10) and the largest network (all 7
// features, 6 hidden layers of 8, spiral).
import { budget, circle, finish, record, spiral, timePerCall } from './common.mjs';

class Node {
  constructor(id, activation) {
    this.id = id; this.inputLinks = []; this.bias = 0.1; this.outputs = [];
    this.totalInput = 0; this.output = 0; this.outputDer = 0; this.inputDer = 0;
    this.accInputDer = 0; this.numAccumulatedDers = 0; this.activation = activation;
  }
  updateOutput() {
    this.totalInput = this.bias;
    for (let j = 0; j < this.inputLinks.length; j++) {
      const link = this.inputLinks[j];
      this.totalInput += link.weight * link.source.output;
    }
    this.output = this.activation.output(this.totalInput);
    return this.output;
  }
}
const TANH = {
  output: (x) => Math.tanh(x),
  der: (x) => { const output = TANH.output(x); return 1 - output * output; },
};
const SQUARE = { error: (output, target) => 0.5 * Math.pow(output - target, 2), der: (output, target) => output - target };
const L2 = { output: (w) => 0.5 * w * w, der: (w) => w };

class Link {
  constructor(source, dest, regularization) {
    this.id = source.id + '-' + dest.id; this.source = source; this.dest = dest;
    this.weight = Math.random() - 0.5; this.isDead = false; this.errorDer = 0;
    this.accErrorDer = 0; this.numAccumulatedDers = 0; this.regularization = regularization;
  }
}

function buildNetwork(networkShape, activation, outputActivation, regularization, inputIds) {
  const numLayers = networkShape.length;
  let id = 1;
  const network = [];
  for (let layerIdx = 0; layerIdx < numLayers; layerIdx++) {
    const isOutputLayer = layerIdx === numLayers - 1, isInputLayer = layerIdx === 0;
    const currentLayer = [];
    network.push(currentLayer);
    for (let i = 0; i < networkShape[layerIdx]; i++) {
      let nodeId = id.toString();
      if (isInputLayer) nodeId = inputIds[i]; else id++;
      const node = new Node(nodeId, isOutputLayer ? outputActivation : activation);
      currentLayer.push(node);
      if (layerIdx >= 1) {
        for (const prevNode of network[layerIdx - 1]) {
          const link = new Link(prevNode, node, regularization);
          prevNode.outputs.push(link);
          node.inputLinks.push(link);
        }
      }
    }
  }
  return network;
}

function forwardProp(network, inputs) {
  const inputLayer = network[0];
  for (let i = 0; i < inputLayer.length; i++) inputLayer[i].output = inputs[i];
  for (let layerIdx = 1; layerIdx < network.length; layerIdx++) {
    const currentLayer = network[layerIdx];
    for (let i = 0; i < currentLayer.length; i++) currentLayer[i].updateOutput();
  }
  return network[network.length - 1][0].output;
}

function backProp(network, target, errorFunc) {
  const outputNode = network[network.length - 1][0];
  outputNode.outputDer = errorFunc.der(outputNode.output, target);
  for (let layerIdx = network.length - 1; layerIdx >= 1; layerIdx--) {
    const currentLayer = network[layerIdx];
    for (let i = 0; i < currentLayer.length; i++) {
      const node = currentLayer[i];
      node.inputDer = node.outputDer * node.activation.der(node.totalInput);
      node.accInputDer += node.inputDer;
      node.numAccumulatedDers++;
    }
    for (let i = 0; i < currentLayer.length; i++) {
      const node = currentLayer[i];
      for (let j = 0; j < node.inputLinks.length; j++) {
        const link = node.inputLinks[j];
        if (link.isDead) continue;
        link.errorDer = node.inputDer * link.source.output;
        link.accErrorDer += link.errorDer;
        link.numAccumulatedDers++;
      }
    }
    if (layerIdx === 1) continue;
    const prevLayer = network[layerIdx - 1];
    for (let i = 0; i < prevLayer.length; i++) {
      const node = prevLayer[i];
      node.outputDer = 0;
      for (let j = 0; j < node.outputs.length; j++) {
        const output = node.outputs[j];
        node.outputDer += output.weight * output.dest.inputDer;
      }
    }
  }
}

function updateWeights(network, learningRate, regularizationRate) {
  for (let layerIdx = 1; layerIdx < network.length; layerIdx++) {
    const currentLayer = network[layerIdx];
    for (let i = 0; i < currentLayer.length; i++) {
      const node = currentLayer[i];
      if (node.numAccumulatedDers > 0) {
        node.bias -= learningRate * node.accInputDer / node.numAccumulatedDers;
        node.accInputDer = 0;
        node.numAccumulatedDers = 0;
      }
      for (let j = 0; j < node.inputLinks.length; j++) {
        const link = node.inputLinks[j];
        if (link.isDead) continue;
        const regulDer = link.regularization ? link.regularization.der(link.weight) : 0;
        if (link.numAccumulatedDers > 0) {
          link.weight = link.weight - (learningRate / link.numAccumulatedDers) * link.accErrorDer;
          link.weight = link.weight - learningRate * regularizationRate * regulDer;
          link.accErrorDer = 0;
          link.numAccumulatedDers = 0;
        }
      }
    }
  }
}

function forEachNode(network, ignoreInputs, accessor) {
  for (let layerIdx = ignoreInputs ? 1 : 0; layerIdx < network.length; layerIdx++)
    for (const node of network[layerIdx]) accessor(node);
}

// The playground's feature functions, keyed as in INPUTS.
const INPUTS = {
  x: (x, y) => x, y: (x, y) => y, xSquared: (x, y) => x * x, ySquared: (x, y) => y * y,
  xTimesY: (x, y) => x * y, sinX: (x, y) => Math.sin(x), sinY: (x, y) => Math.sin(y),
};

function makePlayground({ hidden, features, data }) {
  const DENSITY = 100;
  const ids = features;
  const shape = [ids.length, ...hidden, 1];
  const network = buildNetwork(shape, TANH, TANH, L2, ids);
  const constructInput = (x, y) => ids.map((name) => INPUTS[name](x, y));
  // Points: labels +-1, half for training, half for testing; the playground's
  // canvas spans [-6, 6] (data scaled by 5 from our unit-sized shapes).
  const pts = data.map((p) => ({ x: p.x * 5, y: p.y * 5, label: p.label === 0 ? 1 : -1 }));
  const trainData = pts.filter((_, i) => i % 2 === 0), testData = pts.filter((_, i) => i % 2 === 1);
  const boundary = {};
  forEachNode(network, false, (node) => {
    boundary[node.id] = new Array(DENSITY).fill(0).map(() => new Array(DENSITY).fill(0));
  });
  const state = { learningRate: 0.03, regularizationRate: 0, batchSize: 10 };
  const getLoss = (dataPoints) => {
    let loss = 0;
    for (const p of dataPoints) {
      const output = forwardProp(network, constructInput(p.x, p.y));
      loss += SQUARE.error(output, p.label);
    }
    return loss / dataPoints.length;
  };
  function updateDecisionBoundary() {
    for (let i = 0; i < DENSITY; i++) for (let j = 0; j < DENSITY; j++) {
      const x = -6 + 12 * i / (DENSITY - 1), y = -6 + 12 * j / (DENSITY - 1);
      forwardProp(network, constructInput(x, y));
      forEachNode(network, true, (node) => { boundary[node.id][i][j] = node.output; });
    }
  }
  function trainEpoch() {
    trainData.forEach((point, i) => {
      const input = constructInput(point.x, point.y);
      forwardProp(network, input);
      backProp(network, point.label, SQUARE);
      if ((i + 1) % state.batchSize === 0) updateWeights(network, state.learningRate, state.regularizationRate);
    });
  }
  let lossTrain = 0, lossTest = 0;
  function oneStep() {
    trainEpoch();
    lossTrain = getLoss(trainData);
    lossTest = getLoss(testData);
    updateDecisionBoundary();
  }
  return { oneStep, trainEpoch, trainData, loss: () => [lossTrain, lossTest] };
}

for (const [w, cfg, what] of [
  ['w2a', { hidden: [4, 2], features: ['x', 'y'], data: circle(500, 0.1, 5) }, 'default: circle, x y -> 4-2 tanh -> 1'],
  ['w2b', { hidden: [8, 8, 8, 8, 8, 8], features: Object.keys(INPUTS), data: spiral(500, 0.1, 5, 2) },
    'largest: spiral, 7 features -> 6x8 tanh -> 1'],
]) {
  process.stderr.write(`[2] TF Playground algorithm, ${what}\n`);
  const pg = makePlayground(cfg);
  const perEpoch = timePerCall(pg.trainEpoch, budget(1.0));
  record(`${w}.train_sps`, pg.trainData.length / perEpoch, 'samples/s', `training samples/s, ${what}`);
  const step = timePerCall(pg.oneStep, budget(1.5));
  record(`${w}.step_ms`, step * 1e3, 'ms/step', 'oneStep: epoch of 250 + train/test loss + 100x100 boundary (all nodes)');
}
finish('tfplayground-js');
