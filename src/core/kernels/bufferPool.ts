/**
 * Owns GPU buffers for one kernel: buffers are reused between calls by (usage, size) and all destroyed by
 * `destroy()`. Nothing else creates buffers for the kernel, so none leaks.
 */
export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private inUse = new Set<GPUBuffer>();

  constructor(private readonly device: GPUDevice) {}

  /** A buffer of at least `size` bytes (rounded up to a power of two so sizes repeat). */
  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const rounded = Math.max(16, 2 ** Math.ceil(Math.log2(size)));
    const key = `${usage}:${rounded}`;
    const buffer = this.free.get(key)?.pop() ?? this.device.createBuffer({ size: rounded, usage, label });
    this.inUse.add(buffer);
    return buffer;
  }

  /** A storage buffer holding a copy of `data` (its size in bytes must be a multiple of 4). */
  upload(data: Float32Array | Uint32Array, label: string): GPUBuffer {
    const buffer = this.acquire(data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label);
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  }

  /** Returns every buffer handed out since the last call to the pool. */
  releaseAll(): void {
    for (const buffer of this.inUse) {
      const key = `${buffer.usage}:${buffer.size}`;
      const list = this.free.get(key) ?? [];
      list.push(buffer);
      this.free.set(key, list);
    }
    this.inUse.clear();
  }

  destroy(): void {
    this.releaseAll();
    for (const list of this.free.values()) for (const buffer of list) buffer.destroy();
    this.free.clear();
  }
}
