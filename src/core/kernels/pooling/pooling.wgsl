// Sentence-transformers pooling of one padded batch of token embeddings, then optional L2 normalisation:
// the WGSL twin of pooling.cpu.ts. One workgroup per text, so the row's norm is a workgroup reduction and
// only `[batch × dim]` floats ever leave the GPU instead of the whole `[batch × seqLen × hidden]` output.
// Mode codes are indices into POOLING_MODES: 0 cls, 1 max, 2 mean, 3 mean_sqrt_len_tokens, 4 weightedmean,
// 5 lasttoken. Sums are float32 (the CPU twin's are float64): well inside the 1e-4 parity budget.

override WORKGROUP_SIZE: u32 = 128u; // a power of two: the reduction halves it

struct Params {
  batch: u32,
  seqLen: u32,
  hidden: u32,
  modeCount: u32,
  normalize: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
  modes: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> tokens: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> pooled: array<f32>;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn modeAt(m: u32) -> u32 {
  return params.modes[m / 4u][m % 4u];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn poolRows(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = group.x;
  let seqLen = params.seqLen;
  let hidden = params.hidden;
  let dim = hidden * params.modeCount;
  let maskBase = row * seqLen;

  // Every invocation scans the row's mask itself: seqLen reads cost less than a shared pass and a barrier.
  var count = 0u;
  var last = -1;
  var first = -1;
  var weightSum = 0.0;
  for (var t = 0u; t < seqLen; t++) {
    if (mask[maskBase + t] != 0u) {
      count++;
      last = i32(t);
      if (first < 0) { first = i32(t); }
      weightSum += f32(t + 1u);
    }
  }

  var sumOfSquares = 0.0;
  for (var c = lid; c < dim; c += WORKGROUP_SIZE) {
    let mode = modeAt(c / hidden);
    // Token t's component j is at tokenBase + t * hidden: neighbouring invocations read neighbouring floats.
    let tokenBase = maskBase * hidden + c % hidden;
    var value = 0.0;
    switch mode {
      case 0u: {
        // The first kept token (the mask's argmax, as sentence-transformers 6 takes it): 0 unless a prompt is
        // excluded from pooling.
        value = tokens[tokenBase + u32(max(first, 0)) * hidden];
      }
      case 1u: {
        var best = bitcast<f32>(0xff7fffffu); // the lowest finite f32: any real token replaces it
        for (var t = 0u; t < seqLen; t++) {
          if (mask[maskBase + t] != 0u) { best = max(best, tokens[tokenBase + t * hidden]); }
        }
        // sentence-transformers sets masked positions to -1e9: an all-padding row pools to -1e9.
        value = select(best, -1e9, count == 0u);
      }
      case 2u, 3u: {
        var sum = 0.0;
        for (var t = 0u; t < seqLen; t++) {
          if (mask[maskBase + t] != 0u) { sum += tokens[tokenBase + t * hidden]; }
        }
        let n = max(f32(count), 1e-9);
        value = sum / select(sqrt(n), n, mode == 2u);
      }
      case 4u: {
        var sum = 0.0;
        for (var t = 0u; t < seqLen; t++) {
          if (mask[maskBase + t] != 0u) { sum += f32(t + 1u) * tokens[tokenBase + t * hidden]; }
        }
        value = sum / max(weightSum, 1e-9);
      }
      default: {
        if (last >= 0) { value = tokens[tokenBase + u32(last) * hidden]; }
      }
    }
    pooled[row * dim + c] = value;
    sumOfSquares += value * value;
  }

  if (params.normalize == 0u) {
    return;
  }
  partial[lid] = sumOfSquares;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    workgroupBarrier();
  }
  let scale = 1.0 / max(sqrt(partial[0]), 1e-12);
  // Each invocation rescales the components it wrote itself: no barrier needed on `pooled`.
  for (var c = lid; c < dim; c += WORKGROUP_SIZE) {
    pooled[row * dim + c] *= scale;
  }
}
