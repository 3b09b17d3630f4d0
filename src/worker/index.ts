/**
 * The one script of the page's two workers, told apart by the name they are created with: "data" (the
 * dataset, its evaluation and the kernels) or "encoder" (the models). One script means one bundle, so what
 * both use — onnxruntime-web above all: the encoder runs models on it, the data worker ranks on its WASM
 * matrix multiply — exists once in the build. Each loads only its own part.
 */
import { expose } from 'comlink';
import { aliveMessage, failedMessage, holdLifeline } from './lifeline.ts';

// Calls that arrive while this worker's part loads are held, then delivered once it listens.
const early: MessageEvent[] = [];
const hold = (event: MessageEvent) => void early.push(event);
addEventListener('message', hold);

// Told before the part loads, so that the page notices this worker's end while it loads, too.
void holdLifeline(self.name).then((lock) => postMessage(aliveMessage(lock)));
const part = self.name === 'data' ? import('./dataWorker.ts').then((m) => m.createDataWorkerApi()) : import('./api.ts').then((m) => m.createEncoderApi());
void part.then(
  (api) => {
    expose(api);
    removeEventListener('message', hold);
    for (const event of early.splice(0)) dispatchEvent(new MessageEvent('message', { data: event.data, ports: [...event.ports] }));
  },
  // The held calls stay unanswered: the page fails them all on this message and ends the worker.
  (error: unknown) => postMessage(failedMessage(error)),
);
