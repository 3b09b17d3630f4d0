/**
 * The one script of the page's two workers, told apart by the name they are created with: "data" (the
 * dataset, its evaluation and the kernels) or "encoder" (the models). One script means one bundle, so what
 * both use — onnxruntime-web above all: the encoder runs models on it, the data worker ranks on its WASM
 * matrix multiply — exists once in the build.
 */
import { expose } from 'comlink';
import { api } from './api.ts';
import { dataWorkerApi } from './dataWorker.ts';

expose(self.name === 'data' ? dataWorkerApi : api);
