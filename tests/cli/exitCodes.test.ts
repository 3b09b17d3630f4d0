import { describe, expect, it } from 'vitest';
import { embedlab } from './runCli.ts';

describe('embedlab exit codes', () => {
  it.each(['inspect', 'embed', 'eval', 'quantize'])('%s: an unexpected error exits 3 (internal), never 1 (the gate), with one line and no stack', async (command) => {
    const result = await embedlab([command, '--help'], { EMBEDLAB_INJECT_INTERNAL_ERROR: command });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^embedlab: internal error in ${command}: TypeError: injected internal error \\(at .+\\) — this is a bug in embedlab`));
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('bad usage exits 2', async () => {
    expect((await embedlab(['nonsense'])).code).toBe(2);
  });
});
