// Gives browser tests the real worker, created exactly as the page creates it, without going through the UI.
import { proxy } from 'comlink';
import { createEncoderClient } from '../../src/ui/encoderClient.ts';

const encoder = createEncoderClient().remote;
Object.assign(window, { encoder, proxy });
