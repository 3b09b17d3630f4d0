import { describe, expect, it } from 'vitest';
import { DENSE_ACTIVATIONS, torchActivation } from './denseActivation.ts';
import { applyDense, type DenseModule } from './denseLayer.ts';
import { erf } from './erf.ts';

const dense = (changes: Partial<DenseModule> = {}): DenseModule => ({
  kind: 'dense',
  path: '2_Dense',
  inFeatures: 3,
  outFeatures: 2,
  activation: 'Tanh',
  // Rows of PyTorch's [out, in] layout.
  weight: Float32Array.from([1, -2, 0.5, 0.25, 0, -1]),
  bias: Float32Array.from([0.1, -0.2]),
  residual: null,
  ...changes,
});

describe('applyDense (float64 values computed by hand)', () => {
  it('activation(x·Wᵀ + b) per row', () => {
    // Row 1: tanh(1 − 4 + 1.5 + 0.1) = tanh(−1.4), tanh(0.25 − 3 − 0.2) = tanh(−2.95).
    // Row 2 (x = [0, 0, 0]): tanh(0.1), tanh(−0.2).
    const out = applyDense(Float32Array.from([1, 2, 3, 0, 0, 0]), 2, dense());
    expect(Array.from(out)).toEqual([-0.8853516482022625, -0.9945360784739778, Math.tanh(0.1), Math.tanh(-0.2)].map(Math.fround));
  });

  it('Identity and no bias: the bare projection (what a Dense 32 → 16 without activation is)', () => {
    const out = applyDense(Float32Array.from([1, 2, 3]), 1, dense({ activation: 'Identity', bias: null }));
    expect(Array.from(out)).toEqual([-1.5, -2.75]);
  });

  it('use_residual adds x when in = out, and x·Rᵀ otherwise', () => {
    const square: Partial<DenseModule> = { inFeatures: 2, outFeatures: 2, activation: 'Identity', weight: Float32Array.from([1, 0, 0, 1]), bias: null };
    expect(Array.from(applyDense(Float32Array.from([3, -4]), 1, dense({ ...square, residual: 'identity' })))).toEqual([6, -8]);
    const residual = Float32Array.from([1, 1, 1, 0, 0, 0]);
    // Identity(x·Wᵀ) + x·Rᵀ = [−1.5, −2.75] + [6, 0]
    expect(Array.from(applyDense(Float32Array.from([1, 2, 3]), 1, dense({ activation: 'Identity', bias: null, residual })))).toEqual([4.5, -2.75]);
  });

  it('refuses rows of the wrong width', () => {
    expect(() => applyDense(new Float32Array(4), 1, dense())).toThrow(/Dense 2_Dense: expects 3 values per row, got 4/);
  });
});

describe('Dense activations at torch defaults (values from Python math, float64)', () => {
  const x = [-2.5, -0.5, 0.75, 3];
  it.each([
    ['GELU', [-0.015524163314440398, -0.15426876936299344, 0.5800294857173488, 2.99595030590511]],
    ['SiLU', [-0.18964545005310887, -0.1887703343990727, 0.5093840243815447, 2.8577223804673]],
    ['Sigmoid', [0.07585818002124355, 0.3775406687981454, 0.679178699175393, 0.9525741268224334]],
    ['Softplus', [0.07888973429254963, 0.4740769841801067, 1.1368710061148999, 3.048587351573742]],
    ['Mish', [-0.19681620390653337, -0.22074377465173, 0.6100183352182934, 2.9865350049679575]],
    ['ELU', [-0.9179150013761013, -0.3934693402873666, 0.75, 3]],
    ['Tanh', [-0.9866142981514303, -0.46211715726000974, 0.6351489523872873, 0.9950547536867305]],
    ['ReLU', [0, 0, 0.75, 3]],
    ['LeakyReLU', [-0.025, -0.005, 0.75, 3]],
    ['Hardtanh', [-1, -0.5, 0.75, 1]],
    ['Softsign', [-2.5 / 3.5, -0.5 / 1.5, 0.75 / 1.75, 0.75]],
    ['Identity', x],
  ] as const)('%s', (name, expected) => {
    x.forEach((value, i) => expect(DENSE_ACTIVATIONS[name](value)).toBeCloseTo(expected[i], 15));
  });

  it('erf agrees with Python math.erf at the edges of its intervals', () => {
    expect(erf(0)).toBe(0);
    expect(erf(-1e-30)).toBe(-1e-30 * (1 + 0.12837916709551259));
    expect(erf(0.84375)).toBeCloseTo(0.7672256612323416, 15);
    expect(erf(1.25)).toBeCloseTo(0.9229001282564582, 15);
    expect(erf(-3)).toBeCloseTo(-0.9999779095030014, 15);
    expect(erf(7)).toBe(1);
  });

  it('names torch classes by their path', () => {
    expect(torchActivation('torch.nn.modules.activation.Tanh')).toBe('Tanh');
    expect(torchActivation('torch.nn.modules.linear.Identity')).toBe('Identity');
    expect(torchActivation('torch.nn.GELU')).toBe('GELU');
    expect(torchActivation('torch.nn.modules.activation.PReLU')).toBeNull();
    expect(torchActivation('mypackage.Tanh')).toBeNull();
  });
});
