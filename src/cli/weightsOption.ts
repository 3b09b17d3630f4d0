import type { WeightsFormat } from '../core/model/modelFolder.ts';
import { choice } from './optionValues.ts';

const WEIGHTS_FORMATS: readonly WeightsFormat[] = ['auto', 'safetensors', 'onnx'];

/**
 * `--weights auto|safetensors|onnx`, the record eval and embed share: which weights of a folder that may hold
 * both to run. `help` says what auto picks for that command.
 */
export function weightsOption(help: string) {
  return { type: 'string', default: 'auto', help, value: choice(WEIGHTS_FORMATS) } as const;
}
