import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rawSafetensors, toBfloat16Array, writeSafetensors } from '../../../tests/fixtures/safetensorsFile.ts';
import { SHARED_MODELS, needs } from '../../../tests/paths.ts';
import { ModelFolderError } from './modelSource.ts';
import { parseSafetensors, tensorFloat32, type SafetensorsFile } from './safetensors.ts';

const FILE = 'model.safetensors';
const parse = (bytes: Uint8Array): SafetensorsFile => parseSafetensors(bytes, 'm', FILE);

/** The problem a parse reports, checking that it is a ModelFolderError naming the model and file. */
function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFolderError);
    const { source, file, problem } = error as ModelFolderError;
    expect([source, file]).toEqual(['m', FILE]);
    return problem;
  }
  throw new Error('expected a ModelFolderError');
}

const jsonError = (text: string): string => {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  return 'parsed';
};

const u8 = (length: number) => new Uint8Array(length);
const entry = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });
const header = (value: unknown) => JSON.stringify(value);

describe('parseSafetensors: a valid file', () => {
  it('reads dtype, shape, offsets and metadata, tensors in data order whatever the header order', () => {
    const text = header({ b: entry('U8', [2], [4, 6]), __metadata__: { format: 'pt' }, a: entry('F32', [1], [0, 4]) });
    const file = parse(rawSafetensors(text, Uint8Array.of(0, 0, 128, 63, 7, 9)));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.dataStart).toBe(8 + text.length);
    expect(file.tensors.map((t) => [t.name, t.dtype, t.shape, t.dataOffsets])).toEqual([
      ['a', 'F32', [1], [0, 4]],
      ['b', 'U8', [2], [4, 6]],
    ]);
    expect([...file.byName.get('b')!.bytes]).toEqual([7, 9]);
    expect(file.byName.get('b')!.bytes.buffer).toBe(file.bytes.buffer);
  });

  it('accepts no tensors, no metadata, null metadata, scalars, empty tensors and space padding', () => {
    expect(parse(rawSafetensors('{}      ')).tensors).toEqual([]);
    expect(parse(rawSafetensors('{}')).metadata).toBeNull();
    expect(parse(rawSafetensors('{"__metadata__":null}')).metadata).toBeNull();
    const text = header({ s: entry('F32', [], [0, 4]), e: entry('F16', [3, 0], [4, 4]), z: entry('BF16', [0], [4, 4]) });
    const file = parse(rawSafetensors(`${text}   `, new Uint8Array(Float32Array.of(2.5).buffer)));
    expect(file.tensors.map((t) => t.name)).toEqual(['s', 'e', 'z']);
    expect([...tensorFloat32(file.byName.get('s')!)]).toEqual([2.5]);
    expect(tensorFloat32(file.byName.get('e')!).length).toBe(0);
  });
});

describe('tensorFloat32', () => {
  const values = Float32Array.of(1, -2.5, 3.25, 1e-30, -0, Infinity);

  it('is a view of the file when F32 data is 4-byte aligned', () => {
    const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data: values } });
    const file = parse(bytes);
    const data = tensorFloat32(file.byName.get('w')!);
    expect(file.dataStart % 8).toBe(0);
    expect(data.buffer).toBe(bytes.buffer);
    expect(data.byteOffset).toBe(file.dataStart);
    expect([...data]).toEqual([...values]);
  });

  it('is a copy exactly when the header padding leaves the data start off a 4-byte boundary', () => {
    const seen = new Set<boolean>();
    for (const headerPadding of [0, 1, 2, 3]) {
      const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [6], data: values } }, undefined, { headerPadding });
      const file = parse(bytes);
      const data = tensorFloat32(file.byName.get('w')!);
      const aligned = file.dataStart % 4 === 0;
      seen.add(aligned);
      expect(data.buffer === bytes.buffer, `padding ${headerPadding}`).toBe(aligned);
      expect([...data]).toEqual([...values]);
    }
    expect(seen.size).toBe(2);
  });

  it('judges alignment by the absolute offset in the buffer, not the offset in the file', () => {
    const aligned = writeSafetensors({ w: { dtype: 'F32', shape: [6], data: values } });
    const shifted = new Uint8Array(aligned.length + 1);
    shifted.set(aligned, 1);
    const data = tensorFloat32(parse(shifted.subarray(1)).byName.get('w')!);
    expect(data.buffer).not.toBe(shifted.buffer);
    expect([...data]).toEqual([...values]);
  });

  it('widens F16 exactly: normals, subnormals, extremes, ±0, ±Inf and NaN', () => {
    const cases: [number, number][] = [
      [0x3c00, 1], [0xc000, -2], [0x3555, 0.333251953125], [0x7bff, 65504], [0x0400, 2 ** -14],
      [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24], [0x8001, -(2 ** -24)], [0x0000, 0], [0x8000, -0],
      [0x7c00, Infinity], [0xfc00, -Infinity], [0x7e00, NaN], [0xfe01, NaN],
    ];
    for (const padding of [0, 1]) {
      const data = Uint16Array.from(cases, ([bits]) => bits);
      const bytes = writeSafetensors({ h: { dtype: 'F16', shape: [cases.length], data } }, undefined, { headerPadding: padding });
      const out = tensorFloat32(parse(bytes).byName.get('h')!);
      cases.forEach(([bits, value], i) => expect(out[i], `0x${bits.toString(16)}`).toBe(value));
    }
  });

  it('widens BF16 exactly as the top half of a float32, NaN payload and float32 subnormals included', () => {
    const cases: [number, number][] = [
      [0x3f80, 1], [0xc040, -3], [0x4049, 3.140625], [0x7f7f, 3.3895313892515355e38], [0x0080, 2 ** -126],
      [0x0001, 2 ** -133], [0x8000, -0], [0x7f80, Infinity], [0xff80, -Infinity],
    ];
    const data = Uint16Array.from([...cases.map(([bits]) => bits), 0x7fc1]);
    const out = tensorFloat32(parse(writeSafetensors({ b: { dtype: 'BF16', shape: [data.length], data } })).byName.get('b')!);
    cases.forEach(([bits, value], i) => expect(out[i], `0x${bits.toString(16)}`).toBe(value));
    expect(new Uint32Array(out.buffer)[cases.length]).toBe(0x7fc10000);
  });

  it('narrows F64 to the nearest float32, like Math.fround', () => {
    const doubles = Float64Array.of(0.1, 1 / 3, 1e40, -1e-50, 2 ** -149 * 0.75, -0);
    const text = header({ d: entry('F64', [doubles.length], [0, doubles.byteLength]) });
    const out = tensorFloat32(parse(rawSafetensors(`${text} `, new Uint8Array(doubles.buffer))).byName.get('d')!);
    expect([...out]).toEqual([...doubles].map(Math.fround));
    expect(out[2]).toBe(Infinity);
  });

  it('refuses integer and FP8 tensors, naming tensor and dtype', () => {
    const file = parse(rawSafetensors(header({ ids: entry('I64', [1], [0, 8]), q: entry('F8_E4M3', [2], [8, 10]) }), u8(10)));
    expect(problemOf(() => tensorFloat32(file.byName.get('ids')!))).toBe('tensor "ids" is I64; only F32, F16, BF16, F64 tensors can be read as float32');
    expect(problemOf(() => tensorFloat32(file.byName.get('q')!))).toBe('tensor "q" is F8_E4M3; only F32, F16, BF16, F64 tensors can be read as float32');
  });

  it('the fixture writer rounds float32 to BF16 to nearest, ties to even', () => {
    const bits = toBfloat16Array(Float32Array.of(1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, NaN));
    expect([...bits]).toEqual([0x3f80, 0x3f80, 0x3f82, 0x3f81, 0x7fc0]);
  });
});

/** A malformed file, what we report, and whether the reference crate (Python `safetensors`) refuses it too. */
interface Refusal {
  name: string;
  bytes: Uint8Array;
  problem: string;
  crateRefuses: boolean;
}

const one = (value: unknown, data = u8(4)) => rawSafetensors(header({ t: value }), data);
const KNOWN = 'F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, C64, F8_E4M3, F8_E5M2, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ, F6_E2M3, F6_E3M2, F4';
const HOLES = 'safetensors requires the tensors to cover it without holes';

const REFUSALS: Refusal[] = [
  { name: 'shorter than the length', bytes: u8(5), problem: 'is 5 bytes long: too short for the 8-byte header length a safetensors file starts with', crateRefuses: true },
  {
    name: 'absurd length (u64)',
    bytes: rawSafetensors('{}', u8(0), 2n ** 63n),
    problem: 'declares a 9223372036854775808-byte header, more than the 100000000 bytes safetensors allows: the file is damaged or not safetensors',
    crateRefuses: true,
  },
  {
    name: 'length over the 100 MB limit',
    bytes: rawSafetensors('{}', u8(0), 100_000_001n),
    problem: 'declares a 100000001-byte header, more than the 100000000 bytes safetensors allows: the file is damaged or not safetensors',
    crateRefuses: true,
  },
  {
    name: 'length past the end of the file',
    bytes: rawSafetensors('{}', u8(10), 100n),
    problem: 'declares a 100-byte header but only 12 bytes follow the length: the file is truncated or not safetensors',
    crateRefuses: true,
  },
  { name: 'empty header', bytes: rawSafetensors(''), problem: 'header must be a JSON object starting with "{" (byte 0x7B); it is empty', crateRefuses: true },
  { name: 'header is an array', bytes: rawSafetensors('[]'), problem: 'header must be a JSON object starting with "{" (byte 0x7B); it starts with "["', crateRefuses: true },
  // The specification says MUST begin with `{`; the crate does not check it (yet).
  { name: 'leading space', bytes: rawSafetensors(' {}'), problem: 'header must be a JSON object starting with "{" (byte 0x7B); it starts with byte 0x20', crateRefuses: false },
  { name: 'invalid UTF-8', bytes: rawSafetensors(Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d)), problem: 'header is not valid UTF-8', crateRefuses: true },
  { name: 'invalid JSON', bytes: rawSafetensors('{"t":}'), problem: `header is not valid JSON (${jsonError('{"t":}')})`, crateRefuses: true },
  { name: 'padded with NUL', bytes: rawSafetensors('{}\0\0'), problem: `header is not valid JSON (${jsonError('{}\0\0')})`, crateRefuses: true },
  { name: 'entry not an object', bytes: one(5), problem: 'tensor "t": must be an object {"dtype", "shape", "data_offsets"}, not 5', crateRefuses: true },
  { name: 'no dtype', bytes: one({ shape: [1], data_offsets: [0, 4] }), problem: 'tensor "t": has no "dtype"', crateRefuses: true },
  { name: 'dtype not a string', bytes: one(entry(5 as never, [1], [0, 4])), problem: 'tensor "t": "dtype" must be a string, not 5', crateRefuses: true },
  { name: 'unknown dtype', bytes: one(entry('F17', [1], [0, 4])), problem: `tensor "t": unknown dtype "F17"; safetensors defines ${KNOWN}`, crateRefuses: true },
  { name: 'lower-case dtype', bytes: one(entry('float32', [1], [0, 4])), problem: `tensor "t": unknown dtype "float32"; safetensors defines ${KNOWN}`, crateRefuses: true },
  { name: 'no shape', bytes: one({ dtype: 'F32', data_offsets: [0, 4] }), problem: 'tensor "t": has no "shape"', crateRefuses: true },
  { name: 'shape not a list', bytes: one(entry('F32', 1, [0, 4])), problem: 'tensor "t": "shape" must be a list of non-negative integers, not 1', crateRefuses: true },
  { name: 'negative dimension', bytes: one(entry('F32', [-1], [0, 4])), problem: 'tensor "t": "shape" must hold non-negative integers, but holds -1', crateRefuses: true },
  { name: 'fractional dimension', bytes: one(entry('F32', [1.5], [0, 4])), problem: 'tensor "t": "shape" must hold non-negative integers, but holds 1.5', crateRefuses: true },
  { name: 'dimension written 1.0', bytes: rawSafetensors('{"t":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}', u8(4)), problem: 'tensor "t": "shape" must hold non-negative integers, but holds 1.0', crateRefuses: true },
  { name: 'dimension written -0', bytes: rawSafetensors('{"t":{"dtype":"F32","shape":[-0],"data_offsets":[0,0]}}'), problem: 'tensor "t": "shape" must hold non-negative integers, but holds -0', crateRefuses: true },
  { name: 'dimension a string', bytes: one(entry('F32', ['1'], [0, 4])), problem: 'tensor "t": "shape" must hold non-negative integers, but holds "1"', crateRefuses: true },
  { name: 'no data_offsets', bytes: one({ dtype: 'F32', shape: [1] }), problem: 'tensor "t": has no "data_offsets"', crateRefuses: true },
  { name: 'three offsets', bytes: one(entry('F32', [1], [0, 4, 8])), problem: 'tensor "t": "data_offsets" must be [begin, end], not [0,4,8]', crateRefuses: true },
  { name: 'offset written 4e0', bytes: rawSafetensors('{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4e0]}}', u8(4)), problem: 'tensor "t": "data_offsets" must hold non-negative integers, but holds 4e0', crateRefuses: true },
  { name: 'end before begin', bytes: one(entry('F32', [1], [4, 0])), problem: 'tensor "t": data_offsets [4, 0] end before they begin', crateRefuses: true },
  { name: 'offsets past the data', bytes: one(entry('F32', [2], [0, 8])), problem: 'tensor "t": data_offsets [0, 8] run past the end of the 4-byte data section', crateRefuses: true },
  { name: 'shape × dtype ≠ span', bytes: one(entry('F32', [2], [0, 4])), problem: 'tensor "t": shape [2] of F32 needs 8 bytes but data_offsets [0, 4] span 4', crateRefuses: true },
  { name: 'F16 span', bytes: one(entry('F16', [3], [0, 4])), problem: 'tensor "t": shape [3] of F16 needs 6 bytes but data_offsets [0, 4] span 4', crateRefuses: true },
  { name: 'shape too large', bytes: one(entry('F32', [2 ** 52, 2 ** 52, 0], [0, 4])), problem: 'tensor "t": shape [4503599627370496, 4503599627370496, 0] of F32 is too large to address', crateRefuses: true },
  { name: 'sub-byte dtype off a byte boundary', bytes: one(entry('F4', [3], [0, 2]), u8(2)), problem: 'tensor "t": shape [3] of F4 is 12 bits, not a whole number of bytes', crateRefuses: true },
  {
    name: 'overlapping tensors',
    bytes: rawSafetensors(header({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }), u8(12)),
    problem: 'tensor "b": data_offsets [4, 12] overlap tensor "a" (data_offsets [0, 8])',
    crateRefuses: true,
  },
  {
    name: 'two tensors on the same bytes',
    bytes: rawSafetensors(header({ a: entry('F32', [1], [0, 4]), b: entry('U8', [4], [0, 4]) }), u8(4)),
    problem: 'tensor "b": data_offsets [0, 4] overlap tensor "a" (data_offsets [0, 4])',
    crateRefuses: true,
  },
  {
    name: 'hole between tensors',
    bytes: rawSafetensors(header({ b: entry('F32', [1], [8, 12]), a: entry('F32', [1], [0, 4]) }), u8(12)),
    problem: `tensor "b": data_offsets [8, 12] leave bytes 4..8 of the data section unused after tensor "a"; ${HOLES}`,
    crateRefuses: true,
  },
  { name: 'hole at the start', bytes: one(entry('F32', [1], [4, 8]), u8(8)), problem: `tensor "t": data_offsets [4, 8] leave bytes 0..4 of the data section unused before it; ${HOLES}`, crateRefuses: true },
  { name: 'bytes after the last tensor', bytes: one(entry('F32', [1], [0, 4]), u8(6)), problem: `bytes 4..6 of the 6-byte data section belong to no tensor; ${HOLES}`, crateRefuses: true },
  { name: 'data but no tensors', bytes: rawSafetensors('{}', u8(3)), problem: `bytes 0..3 of the 3-byte data section belong to no tensor; ${HOLES}`, crateRefuses: true },
  { name: 'metadata not an object', bytes: rawSafetensors('{"__metadata__":["pt"]}'), problem: '"__metadata__" must be an object mapping strings to strings, not ["pt"]', crateRefuses: true },
  { name: 'metadata value not a string', bytes: rawSafetensors('{"__metadata__":{"step":3}}'), problem: '"__metadata__" must map strings to strings, but "step" is 3', crateRefuses: true },
  // The specification disallows duplicate keys; the crate lets a repeated tensor name or metadata key through.
  {
    name: 'tensor named twice',
    bytes: rawSafetensors('{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', u8(1)),
    problem: 'header names "t" twice',
    crateRefuses: false,
  },
  { name: 'metadata key twice', bytes: rawSafetensors('{"__metadata__":{"a":"1","a":"2"}}'), problem: 'header repeats the key "a" inside "__metadata__"', crateRefuses: false },
  {
    name: 'field twice',
    bytes: rawSafetensors('{"t":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', u8(1)),
    problem: 'header repeats the key "dtype" inside "t"',
    crateRefuses: true,
  },
  {
    name: 'unpaired surrogate in a name',
    bytes: rawSafetensors('{"\\ud800":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', u8(1)),
    problem: 'header holds an unpaired surrogate escape in the key "\\ud800"',
    crateRefuses: true,
  },
];

describe('parseSafetensors: each broken rule, its own message', () => {
  for (const { name, bytes, problem } of REFUSALS) {
    it(name, () => expect(problemOf(() => parse(bytes))).toBe(problem));
  }

  it('names the tensor in a message even when its entry comes second', () => {
    const bytes = rawSafetensors(header({ ok: entry('U8', [1], [0, 1]), 'bad.weight': entry('U8', [1], [1, 0]) }), u8(1));
    expect(problemOf(() => parse(bytes))).toBe('tensor "bad.weight": data_offsets [1, 0] end before they begin');
  });

  it('accepts unknown fields in an entry and any numbers in them, as the crate does', () => {
    const text = '{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"scale":0.5,"extra":[1.5,{"x":-0}]}}';
    expect(parse(rawSafetensors(text, u8(1))).tensors[0].shape).toEqual([1]);
  });
});

/** python3 with the reference implementation (the safetensors package) and NumPy (tests never use torch). */
const pythonHas = (modules: string) => {
  try {
    execFileSync('python3', ['-c', `import ${modules}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const HAS_REFERENCE = pythonHas('safetensors, numpy');
const NO_REFERENCE = 'skipped: python3 lacks the safetensors and numpy packages (the reference reader and writer)';

const REFUSES_SCRIPT = `
import base64, json, sys, safetensors
out = []
for text in json.load(sys.stdin):
    try:
        safetensors.deserialize(base64.b64decode(text)); out.append(False)
    except Exception:
        out.append(True)
print(json.dumps(out))
`;

describe.skipIf(!HAS_REFERENCE)(HAS_REFERENCE ? 'against the reference crate' : `against the reference crate — ${NO_REFERENCE}`, () => {
  it('refuses what the crate refuses; where it accepts, the specification is the stricter (start with "{", no duplicate keys)', () => {
    const input = JSON.stringify(REFUSALS.map((r) => Buffer.from(r.bytes).toString('base64')));
    const refused = JSON.parse(execFileSync('python3', ['-c', REFUSES_SCRIPT], { input, encoding: 'utf8' })) as boolean[];
    expect(REFUSALS.map((r, i) => [r.name, refused[i]])).toEqual(REFUSALS.map((r) => [r.name, r.crateRefuses]));
  });
});

const WRITE_SCRIPT = `
import sys, numpy as np
from safetensors.numpy import save_file
out = sys.argv[1]
rng = np.random.default_rng(7)
special = np.array([0, -0.0, 1, -2, 0.1, 1/3, 65504, 65520, 6e-8, 3e-8, 6.1e-5, 1e-7, np.inf, -np.inf, np.nan, 3.4e38, 1e39, 1e-45, 1e-40])
values = np.concatenate([special, rng.standard_normal(981) * 10.0 ** rng.integers(-9, 9, 981)])
with np.errstate(over='ignore'):
    tensors = {
        'f64': values.reshape(20, 50), 'f32': values.astype(np.float32).reshape(4, 250),
        'f16': values.astype(np.float16), 'f16_every_pattern': np.arange(65536, dtype=np.uint16).view(np.float16),
        'odd_f16': values[:7].astype(np.float16), 'odd_f32': values[:3].astype(np.float32),
    }
save_file(tensors, out + '/numpy.safetensors', metadata={'writer': 'numpy'})
save_file({k: v.astype(np.float32) for k, v in tensors.items()}, out + '/numpy.expected.safetensors')
`;

/** Values equal bit for bit, except that any NaN matches any NaN (the float16 table keeps no NaN payload). */
function expectSameFloats(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const a = new Uint32Array(Float32Array.from(actual).buffer);
  const e = new Uint32Array(Float32Array.from(expected).buffer);
  const differ = [...a.keys()].filter((i) => a[i] !== e[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i])));
  expect(differ.slice(0, 5).map((i) => [i, actual[i], expected[i]]), what).toEqual([]);
}

function expectSameAsExpected(file: string, expectedFile: string): void {
  const actual = parseSafetensors(new Uint8Array(readFileSync(file)), 'python', path.basename(file));
  const expected = parseSafetensors(new Uint8Array(readFileSync(expectedFile)), 'python', path.basename(expectedFile));
  expect(actual.tensors.map((t) => t.name).sort()).toEqual(expected.tensors.map((t) => t.name).sort());
  for (const tensor of actual.tensors) {
    const reference = expected.byName.get(tensor.name)!;
    expect(tensor.shape, tensor.name).toEqual(reference.shape);
    expectSameFloats(tensorFloat32(tensor), tensorFloat32(reference), tensor.name);
  }
}

describe.skipIf(!HAS_REFERENCE)(HAS_REFERENCE ? 'files the reference writes' : `files the reference writes — ${NO_REFERENCE}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'safetensors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let written = false;
  const write = () => {
    if (!written) execFileSync('python3', ['-c', WRITE_SCRIPT, dir], { stdio: 'pipe' });
    written = true;
  };

  it('F64, F32 and F16 from NumPy decode to what NumPy widens them to, every F16 pattern included', () => {
    write();
    const file = parseSafetensors(new Uint8Array(readFileSync(path.join(dir, 'numpy.safetensors'))), 'python', 'numpy.safetensors');
    expect(file.metadata).toEqual({ writer: 'numpy' });
    expect(file.byName.get('f64')!.shape).toEqual([20, 50]);
    expectSameAsExpected(path.join(dir, 'numpy.safetensors'), path.join(dir, 'numpy.expected.safetensors'));
  });
});

const ZOO = path.join(SHARED_MODELS, 'st-zoo');

/** Every .safetensors file under the zoo's model folders, their module folders (2_Dense) included. */
function zooFiles(): string[] {
  if (!existsSync(ZOO)) return [];
  return readdirSync(ZOO, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.safetensors'))
    .map((file) => path.join(ZOO, file))
    .sort();
}

describe('the st-zoo checkpoints', () => {
  it.skipIf(!existsSync(ZOO))(needs(ZOO, 'every .safetensors file parses and every tensor reads as float32'), () => {
    const files = zooFiles();
    expect(files.length).toBeGreaterThanOrEqual(11);
    const dtypes = new Set<string>();
    for (const file of files) {
      const parsed = parseSafetensors(new Uint8Array(readFileSync(file)), 'st-zoo', path.relative(ZOO, file));
      // PyTorch writes {format: pt}; the 2_Dense module file has no metadata at all.
      expect([null, 'pt'], file).toContain(parsed.metadata?.format ?? null);
      expect(parsed.tensors.length, file).toBeGreaterThan(0);
      for (const tensor of parsed.tensors) {
        dtypes.add(tensor.dtype);
        const data = tensorFloat32(tensor);
        expect(data.length, tensor.name).toBe(tensor.shape.reduce((a, b) => a * b, 1));
        if (tensor.dtype === 'F32' && tensor.bytes.byteOffset % 4 === 0) expect(data.buffer).toBe(parsed.bytes.buffer);
      }
    }
    expect([...dtypes].sort()).toEqual(['BF16', 'F16', 'F32']);
  });

  const fp16 = path.join(ZOO, 'distilbert-mean-fp16', 'model.safetensors');
  it.skipIf(!existsSync(fp16) || !HAS_REFERENCE)(
    HAS_REFERENCE ? needs(fp16, 'distilbert-mean-fp16 (F16) decodes to what NumPy widens it to') : `distilbert-mean-fp16 — ${NO_REFERENCE}`,
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'safetensors-'));
      try {
        const script = `import sys, numpy as np\nfrom safetensors.numpy import load_file, save_file\nsave_file({k: v.astype(np.float32) for k, v in load_file(sys.argv[1]).items()}, sys.argv[2])`;
        execFileSync('python3', ['-c', script, fp16, path.join(dir, 'expected.safetensors')], { stdio: 'pipe' });
        expectSameAsExpected(fp16, path.join(dir, 'expected.safetensors'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
