import type { WeightsFormat } from '../core/model/modelFolder.ts';
import { UsageError } from './cliError.ts';

export const WEIGHTS_FORMATS: readonly WeightsFormat[] = ['auto', 'safetensors', 'onnx'];

/** `--weights auto|safetensors|onnx`: which weights of a folder that may hold both to run. */
export function weightsFormat(value: string, command: string): WeightsFormat {
  if (!(WEIGHTS_FORMATS as readonly string[]).includes(value)) throw new UsageError(`${command}: --weights must be one of ${WEIGHTS_FORMATS.join(', ')}, got "${value}"`);
  return value as WeightsFormat;
}
