import { transfer } from 'comlink';
import { createDataClient } from './dataClient.ts';
import { createEncoderClient } from './encoderClient.ts';
import type { WorkerStoppedError } from './workerConnection.ts';

/**
 * The page's two workers, joined by a MessageChannel: the data worker asks the encoder worker for embeddings
 * directly, so neither texts nor vectors pass through the main thread. They stand or fall together: a run
 * needs both, and a data worker left waiting on a dead encoder would wait forever, so when one fails the
 * other is ended and `failed` settles with the first failure.
 */
export function createWorkers() {
  const encoderConnection = createEncoderClient();
  const dataConnection = createDataClient();
  const encoder = encoderConnection.remote;
  const data = dataConnection.remote;
  const failed: Promise<WorkerStoppedError> = Promise.race([encoderConnection.failed, dataConnection.failed]);
  void failed.then((error) => {
    encoderConnection.stop(`The encoder worker was ended with the data worker. ${error.message}`);
    dataConnection.stop(`The data worker was ended with the encoder worker. ${error.message}`);
  });
  const { port1, port2 } = new MessageChannel();
  const connected = Promise.all([encoder.connect(transfer(port1, [port1])), data.connectEncoder(transfer(port2, [port2]))]);
  return { encoder, data, connected, failed };
}
