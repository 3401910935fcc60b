// conv_rows.mjs: the report's rows for workload 6 (ConvNetJS's MNIST demo
// network), in report.mjs's format: [workload, nnplay id, [peer impl, peer
// id] or null, higher is better, target or null].
export const convRows = [
  ['6 ConvNetJS MNIST net', 'w6.train_sps', ['convnetjs-conv', 'w6.train_sps'], true, { ratio: 30 }],
  ['', 'w6.train_sps', ['tfjs-wasm-conv', 'w6.train_sps'], true, { ratio: 1 }],
  ['', 'w6.train_sps', ['tfjs-cpu-conv', 'w6.train_sps'], true, null],
  ['', 'w6.train_sps_1t', null, true, null],
  ['', 'w6.speedup_threads', null, true, null],
  ['', 'w6.train_sps_direct_1t', null, true, null],
  ['', 'w6.train_sps_reference', null, true, null],
  ['', 'w6.conv1_fwd_gemm_gflops', null, true, null],
  ['', 'w6.conv1_fwd_direct_gflops', null, true, null],
  ['', 'w6.conv2_fwd_gemm_gflops', null, true, null],
  ['', 'w6.conv2_fwd_direct_gflops', null, true, null],
  ['', 'w6.conv2_bwd_gflops', null, true, null],
  ['', 'w6.activation_bytes_b64', null, false, null],
  ['', 'w6.workspace_bytes_b64', null, false, null],
  ['', 'w6.workspace_over_activations', null, false, { max: 2 }],
];
