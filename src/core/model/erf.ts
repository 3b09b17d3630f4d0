/**
 * The error function in double precision, ported from fdlibm's `s_erf.c` (Sun Microsystems, 1993; the
 * version glibc and musl ship): error below 1 ulp of a double, so a float32 GELU computed through it and
 * rounded once is what torch's float32 `erf` gives (JavaScript has no `Math.erf`).
 */

const ERX = 8.45062911510467529297e-1;
/** 2/√π − 1, for |x| < 2⁻²⁸. */
const EFX = 1.28379167095512586316e-1;

// erf(x) = x + x·R(x²) on [0, 0.84375]
const PP = [1.28379167095512558561e-1, -3.25042107247001499370e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3, -2.37630166566501626084e-5];
const QQ = [1, 3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4, -3.96022827877536812320e-6];
// erf(1 + s) = erx + P(s)/Q(s) on [0.84375, 1.25]
const PA = [-2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1, -1.10894694282396677476e-1, 3.54783043256182359371e-2, -2.16637559486879084300e-3];
const QA = [1, 1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1, 1.36370839120290507362e-2, 1.19844998467991074170e-2];
// erfc(x) = exp(−x² − 0.5625 + R/S)/x on [1.25, 1/0.35]
const RA = [-9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1, -1.62396669462573470355e2, -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592];
const SA = [1, 1.96512716674392571292e1, 1.37657754143519042600e2, 4.34565877475229228821e2, 6.45387271733267880336e2, 4.29008140027567833386e2, 1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2];
// … and on [1/0.35, 6]
const RB = [-9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2, -6.37566443368389627722e2, -1.02509513161107724954e3, -4.83519191608651397019e2];
const SB = [1, 3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3, 2.55305040643316442583e3, 4.74528541206955367215e2, -2.24409524465858183362e1];

function polynomial(coefficients: readonly number[], x: number): number {
  let sum = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) sum = sum * x + coefficients[i];
  return sum;
}

const SCRATCH = new DataView(new ArrayBuffer(8));

/** `x` with the low 32 bits of its mantissa cleared, so that `z·z` is exact (fdlibm's SET_LOW_WORD(z, 0)). */
function highWord(x: number): number {
  SCRATCH.setFloat64(0, x);
  SCRATCH.setUint32(4, 0);
  return SCRATCH.getFloat64(0);
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a < 0.84375) {
    if (a < 2 ** -28) return x + EFX * x;
    const z = x * x;
    return x + x * (polynomial(PP, z) / polynomial(QQ, z));
  }
  if (a < 1.25) {
    const s = a - 1;
    return sign * (ERX + polynomial(PA, s) / polynomial(QA, s));
  }
  if (a >= 6) return sign;
  const s = 1 / (a * a);
  const ratio = a < 1 / 0.35 ? polynomial(RA, s) / polynomial(SA, s) : polynomial(RB, s) / polynomial(SB, s);
  const z = highWord(a);
  const r = Math.exp(-z * z - 0.5625) * Math.exp((z - a) * (z + a) + ratio);
  return sign * (1 - r / a);
}
