// Cosine-distance sums per (point, column chunk). Points arrive sorted by label and every chunk is a run of
// at most TILE columns inside one label, so a chunk's sum belongs to exactly one label; the host adds the
// chunks of a label in float64. One workgroup computes a TILE × TILE block of dot products, matmul-style:
// STEP components of TILE rows and TILE columns are staged in workgroup memory, and each of the 16 × 16
// invocations accumulates a 4 × 4 sub-block (rows local.y + 16 i, columns local.x + 16 j).

const TILE: u32 = 64u;
const STEP: u32 = 16u;
const LANES: u32 = 16u;

struct Params {
  count: u32,      // points
  dim: u32,
  chunkCount: u32,
  firstRow: u32,   // first row of this pass
  rowCount: u32,   // rows in this pass
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> vectors: array<f32>;
// [start, end) columns of each chunk.
@group(0) @binding(2) var<storage, read> chunks: array<vec2<u32>>;
// [rowCount × chunkCount]: Σ over the chunk's columns (the row itself excluded) of 1 − x_row · x_col.
@group(0) @binding(3) var<storage, read_write> partialSums: array<f32>;

var<workgroup> rowTile: array<array<f32, STEP>, TILE>;
var<workgroup> columnTile: array<array<f32, STEP>, TILE>;
var<workgroup> laneSums: array<array<f32, LANES>, TILE>;

@compute @workgroup_size(16, 16)
fn labelDistanceSums(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_id) local: vec3<u32>,
  @builtin(local_invocation_index) flat: u32,
) {
  let chunk = chunks[group.x];
  let rowBase = params.firstRow + group.y * TILE;
  let rowEnd = params.firstRow + params.rowCount;
  let dim = params.dim;

  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < dim; k0 += STEP) {
    // 2 × TILE × STEP values staged by 256 invocations: 4 of each tile per invocation.
    for (var t = 0u; t < 4u; t++) {
      let e = flat + t * 256u;
      let r = e / STEP;
      let c = e % STEP;
      let component = k0 + c;
      var x = 0.0;
      let row = rowBase + r;
      if (row < rowEnd && component < dim) { x = vectors[row * dim + component]; }
      rowTile[r][c] = x;
      var y = 0.0;
      let column = chunk.x + r;
      if (column < chunk.y && component < dim) { y = vectors[column * dim + component]; }
      columnTile[r][c] = y;
    }
    workgroupBarrier();
    for (var c = 0u; c < STEP; c++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        a[i] = rowTile[local.y + LANES * i][c];
        b[i] = columnTile[local.x + LANES * i][c];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i][j] += a[i] * b[j]; }
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let row = rowBase + local.y + LANES * i;
    var sum = 0.0;
    for (var j = 0u; j < 4u; j++) {
      let column = chunk.x + local.x + LANES * j;
      if (column < chunk.y && column != row) { sum += 1.0 - acc[i][j]; }
    }
    laneSums[local.y + LANES * i][local.x] = sum;
  }
  workgroupBarrier();

  if (flat < TILE) {
    let row = rowBase + flat;
    if (row < rowEnd) {
      var total = 0.0;
      for (var x = 0u; x < LANES; x++) { total += laneSums[flat][x]; }
      partialSums[(row - params.firstRow) * params.chunkCount + group.x] = total;
    }
  }
}
