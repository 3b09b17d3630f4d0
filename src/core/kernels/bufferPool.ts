/**
 * Free buffers kept for the next call, at most: a kernel called again with the same shapes (the next
 * model of a comparison) reuses them; past this, released buffers are destroyed rather than held.
 */
const MAX_FREE_BYTES = 256 * 1024 ** 2;

/**
 * Owns GPU buffers for one kernel: buffers are reused between calls by (usage, exact size) and all destroyed
 * by `destroy()`. Nothing else creates buffers for the kernel, so none leaks. Sizes are not rounded up to
 * powers of two: that made a 600 MB upload take 1 GiB of GPU memory, kept between runs.
 */
export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private inUse = new Set<GPUBuffer>();
  private freeBytes = 0;
  private inUseBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly maxFreeBytes = MAX_FREE_BYTES,
  ) {}

  /** Bytes of GPU memory the pool holds: handed out, and kept free for reuse. */
  get bytes(): { inUse: number; free: number } {
    return { inUse: this.inUseBytes, free: this.freeBytes };
  }

  /** A buffer of `size` bytes, rounded up to a multiple of 4 (WebGPU copies and bindings work in words). */
  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const exact = Math.max(16, Math.ceil(size / 4) * 4);
    const reused = this.free.get(key(usage, exact))?.pop();
    if (reused) this.freeBytes -= reused.size;
    const buffer = reused ?? this.device.createBuffer({ size: exact, usage, label });
    this.inUse.add(buffer);
    this.inUseBytes += buffer.size;
    return buffer;
  }

  /** A storage buffer holding a copy of `data` (its size in bytes must be a multiple of 4). */
  upload(data: Float32Array | Uint32Array, label: string): GPUBuffer {
    const buffer = this.acquire(data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label);
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  }

  /** Returns every buffer handed out since the last call to the pool; keeps at most `maxFreeBytes` of them. */
  releaseAll(): void {
    // Smallest first: the many small buffers (params, readbacks) are the ones every call asks for again.
    for (const buffer of [...this.inUse].sort((a, b) => a.size - b.size)) {
      if (this.freeBytes + buffer.size > this.maxFreeBytes) {
        buffer.destroy();
        continue;
      }
      const list = this.free.get(key(buffer.usage, buffer.size)) ?? [];
      list.push(buffer);
      this.free.set(key(buffer.usage, buffer.size), list);
      this.freeBytes += buffer.size;
    }
    this.inUse.clear();
    this.inUseBytes = 0;
  }

  destroy(): void {
    for (const buffer of this.inUse) buffer.destroy();
    for (const list of this.free.values()) for (const buffer of list) buffer.destroy();
    this.inUse.clear();
    this.free.clear();
    this.inUseBytes = 0;
    this.freeBytes = 0;
  }
}

function key(usage: GPUBufferUsageFlags, size: number): string {
  return `${usage}:${size}`;
}
