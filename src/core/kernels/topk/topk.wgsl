// Similarity + top-k in two passes (see topk.ts for the host side).
//
// segmentTopK: one workgroup per (document segment, query). Scores SEGMENT documents against the query
//   into workgroup memory, then emits the segment's best k. Only a query × SEGMENT tile of scores ever
//   exists, in workgroup memory.
// mergeTopK: one workgroup per (group of GROUP segments, query). Reads GROUP × k candidates and emits the
//   best k. The host repeats it until one segment per query is left.
//
// Both select with k rounds of a parallel arg-max. Order is (score desc, index asc), a total order, so
// round r takes the best entry strictly after round r−1's winner: no "taken" marks are needed, and ties
// resolve exactly as on the CPU twin. Missing entries are (LOWEST, NONE) and lose to every real document
// (WGSL has no −∞ literal; a cosine is never below −1).

struct Params {
  queryCount: u32,
  docCount: u32,
  dim: u32,
  k: u32,
  segmentCount: u32, // mergeTopK: input segments per query
  outSegments: u32,  // segments per query written by this pass
  group: u32,        // mergeTopK: input segments merged by one workgroup
  _pad: u32,
}

override WORKGROUP_SIZE: u32 = 256;
override SEGMENT: u32 = 1024;
override DIM: u32 = 384;

const NONE: i32 = 0x7fffffff;
const LOWEST: f32 = -3.4028234663852886e38f;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> queries: array<f32>;
@group(0) @binding(2) var<storage, read> docs: array<f32>;
@group(0) @binding(3) var<storage, read> inScores: array<f32>;
@group(0) @binding(4) var<storage, read> inIndices: array<i32>;
@group(0) @binding(5) var<storage, read_write> outScores: array<f32>;
@group(0) @binding(6) var<storage, read_write> outIndices: array<i32>;

var<workgroup> queryRow: array<f32, DIM>;
var<workgroup> segmentScores: array<f32, SEGMENT>;
var<workgroup> bestScore: array<f32, WORKGROUP_SIZE>;
var<workgroup> bestIndex: array<i32, WORKGROUP_SIZE>;

// True when (s, i) comes before (bs, bi) in the order (score desc, index asc).
fn before(s: f32, i: i32, bs: f32, bi: i32) -> bool {
  return s > bs || (s == bs && i < bi);
}

// Reduces every thread's candidate to the workgroup's best; all threads return it.
fn argMax(lid: u32, s: f32, i: i32) -> vec2<u32> {
  bestScore[lid] = s;
  bestIndex[lid] = i;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride && before(bestScore[lid + stride], bestIndex[lid + stride], bestScore[lid], bestIndex[lid])) {
      bestScore[lid] = bestScore[lid + stride];
      bestIndex[lid] = bestIndex[lid + stride];
    }
    workgroupBarrier();
  }
  let winner = vec2<u32>(bitcast<u32>(bestScore[0]), bitcast<u32>(bestIndex[0]));
  // Everyone must read the winner before the next round overwrites the reduction arrays.
  workgroupBarrier();
  return winner;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn segmentTopK(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let segment = wg.x;
  let query = wg.y;
  let first = segment * SEGMENT;
  for (var j = lid; j < DIM; j += WORKGROUP_SIZE) {
    queryRow[j] = queries[query * DIM + j];
  }
  workgroupBarrier();
  for (var local = lid; local < SEGMENT; local += WORKGROUP_SIZE) {
    let doc = first + local;
    var score = LOWEST;
    if (doc < params.docCount) {
      score = 0.0;
      let base = doc * DIM;
      for (var j = 0u; j < DIM; j++) {
        score = fma(queryRow[j], docs[base + j], score);
      }
    }
    segmentScores[local] = score;
  }
  workgroupBarrier();

  var lastScore = 3.4028234663852886e38f;
  var lastIndex = -1;
  let out = (query * params.outSegments + segment) * params.k;
  for (var r = 0u; r < params.k; r++) {
    var s = LOWEST;
    var i = NONE;
    for (var local = lid; local < SEGMENT; local += WORKGROUP_SIZE) {
      let doc = first + local;
      let cs = segmentScores[local];
      let ci = select(NONE, i32(doc), doc < params.docCount);
      if (before(lastScore, lastIndex, cs, ci) && before(cs, ci, s, i)) {
        s = cs;
        i = ci;
      }
    }
    let winner = argMax(lid, s, i);
    lastScore = bitcast<f32>(winner.x);
    lastIndex = bitcast<i32>(winner.y);
    if (lid == 0u) {
      outScores[out + r] = lastScore;
      outIndices[out + r] = lastIndex;
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn mergeTopK(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let outSegment = wg.x;
  let query = wg.y;
  let firstSegment = outSegment * params.group;
  let segments = min(params.group, params.segmentCount - firstSegment);
  let base = (query * params.segmentCount + firstSegment) * params.k;
  let count = segments * params.k;

  var lastScore = 3.4028234663852886e38f;
  var lastIndex = -1;
  let out = (query * params.outSegments + outSegment) * params.k;
  for (var r = 0u; r < params.k; r++) {
    var s = LOWEST;
    var i = NONE;
    for (var e = lid; e < count; e += WORKGROUP_SIZE) {
      let cs = inScores[base + e];
      let ci = inIndices[base + e];
      if (before(lastScore, lastIndex, cs, ci) && before(cs, ci, s, i)) {
        s = cs;
        i = ci;
      }
    }
    let winner = argMax(lid, s, i);
    lastScore = bitcast<f32>(winner.x);
    lastIndex = bitcast<i32>(winner.y);
    if (lid == 0u) {
      outScores[out + r] = lastScore;
      outIndices[out + r] = lastIndex;
    }
  }
}
