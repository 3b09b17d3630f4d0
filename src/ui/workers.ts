import { transfer } from 'comlink';
import { createDataClient } from './dataClient.ts';
import { createEncoderClient } from './encoderClient.ts';

/**
 * The page's two workers, joined by a MessageChannel: the data worker asks the encoder worker for embeddings
 * directly, so neither texts nor vectors pass through the main thread.
 */
export function createWorkers() {
  const encoder = createEncoderClient();
  const data = createDataClient();
  const { port1, port2 } = new MessageChannel();
  const connected = Promise.all([encoder.connect(transfer(port1, [port1])), data.connectEncoder(transfer(port2, [port2]))]);
  return { encoder, data, connected };
}
