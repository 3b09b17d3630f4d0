import { describe, expect, it } from 'vitest';
import { BufferPool } from './bufferPool.ts';

/** The two calls the pool makes of a device, recorded: what it created and what it destroyed. */
function recordingDevice() {
  const created: { size: number; usage: number; destroyed: boolean }[] = [];
  const device = {
    createBuffer({ size, usage }: { size: number; usage: number }) {
      const buffer = { size, usage, destroyed: false, destroy: () => (buffer.destroyed = true) };
      created.push(buffer);
      return buffer;
    },
  };
  return { device: device as unknown as GPUDevice, created };
}

const STORAGE = 0x80;
const MiB = 1024 ** 2;

describe('the GPU buffer pool', () => {
  it('hands out the size asked for (to a word), not the next power of two, and counts the bytes', () => {
    const { device, created } = recordingDevice();
    const pool = new BufferPool(device);
    pool.acquire(600 * MiB + 2, STORAGE, 'documents');
    pool.acquire(3, STORAGE, 'params');
    expect(created.map((b) => b.size)).toEqual([600 * MiB + 4, 16]);
    expect(pool.bytes).toEqual({ inUse: 600 * MiB + 20, free: 0 });
  });

  it('reuses a released buffer of the same usage and size, and keeps at most its limit free', () => {
    const { device, created } = recordingDevice();
    const pool = new BufferPool(device, 10 * MiB);
    pool.acquire(4 * MiB, STORAGE, 'a');
    pool.acquire(8 * MiB, STORAGE, 'b');
    pool.releaseAll();
    // The 4 MiB one is kept; keeping the 8 MiB one too would pass the limit, so it is destroyed.
    expect(created.map((b) => b.destroyed)).toEqual([false, true]);
    expect(pool.bytes).toEqual({ inUse: 0, free: 4 * MiB });
    pool.acquire(4 * MiB, STORAGE, 'again');
    pool.acquire(4 * MiB, 0x08, 'other usage');
    expect(created).toHaveLength(3);
    expect(pool.bytes).toEqual({ inUse: 8 * MiB, free: 0 });
    pool.destroy();
    expect(created.every((b) => b.destroyed)).toBe(true);
    expect(pool.bytes).toEqual({ inUse: 0, free: 0 });
  });
});
