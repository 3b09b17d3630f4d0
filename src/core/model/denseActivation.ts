/**
 * The activations a sentence-transformers `Dense` module may name in its config (`activation_function`,
 * written by `fullname(module)`, e.g. `torch.nn.modules.activation.Tanh`). Dense loads it with
 * `import_from_string(path)()`: the class with its default arguments, so each entry below is the torch
 * module's forward at its defaults (sources: torch/nn/modules/activation.py, linear.py).
 */
import { erf } from './erf.ts';

export type DenseActivationName =
  | 'Identity'
  | 'Tanh'
  | 'ReLU'
  | 'Sigmoid'
  | 'GELU'
  | 'SiLU'
  | 'LeakyReLU'
  | 'ELU'
  | 'Softplus'
  | 'Mish'
  | 'Hardtanh'
  | 'Softsign';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** `Softplus(beta=1, threshold=20)`: linear above the threshold, as torch switches there. */
const softplus = (x: number) => (x > 20 ? x : Math.log1p(Math.exp(x)));

/** Element-wise, in float64 on float32 inputs; the caller rounds once when it stores to float32. */
export const DENSE_ACTIVATIONS: Record<DenseActivationName, (x: number) => number> = {
  Identity: (x) => x,
  Tanh: Math.tanh,
  ReLU: (x) => (x > 0 ? x : 0),
  Sigmoid: sigmoid,
  // approximate='none' by default: the exact erf form.
  GELU: (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)),
  SiLU: (x) => x * sigmoid(x),
  LeakyReLU: (x) => (x >= 0 ? x : 0.01 * x),
  ELU: (x) => (x > 0 ? x : Math.expm1(x)),
  Softplus: softplus,
  Mish: (x) => x * Math.tanh(softplus(x)),
  Hardtanh: (x) => Math.min(1, Math.max(-1, x)),
  Softsign: (x) => x / (1 + Math.abs(x)),
};

export const DENSE_ACTIVATION_NAMES = Object.keys(DENSE_ACTIVATIONS) as DenseActivationName[];

/** Dense's default when the config names none (`activation_function=nn.Tanh()`). */
export const DEFAULT_DENSE_ACTIVATION: DenseActivationName = 'Tanh';

/**
 * The activation a torch class path names (`torch.nn.modules.activation.Tanh`, `torch.nn.Tanh`), or null
 * when it is not a torch class the lab knows. Paths outside `torch.` are the caller's concern: Dense
 * ignores them without `trust_remote_code`.
 */
export function torchActivation(path: string): DenseActivationName | null {
  const className = path.split('.').pop() ?? '';
  return path.startsWith('torch.') && Object.hasOwn(DENSE_ACTIVATIONS, className) ? (className as DenseActivationName) : null;
}
