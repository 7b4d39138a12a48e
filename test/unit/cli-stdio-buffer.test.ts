/** stdout through StdioBuffer reaches a slow reader whole, even when fd 1 is a non-blocking pipe. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const buffer = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'stdio-buffer.js');

describe('StdioBuffer', () => {
  it('writes 1 MiB into a pipe that is full for a while (EAGAIN), losing nothing', async () => {
    // Touching process.stdout makes the pipe non-blocking, as anything in the process might.
    const script = `
      process.stdout;
      const { StdioBuffer } = await import(${JSON.stringify(buffer)});
      const out = new StdioBuffer(1, false);
      const line = 'x'.repeat(1023) + '\\n';
      for (let i = 0; i < 1024; i++) out.write(line);
      out.flush();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause(); // the reader is slow: the 64 KiB pipe fills
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 500));
    let received = 0;
    child.stdout.on('data', (chunk: Buffer) => (received += chunk.length));
    child.stdout.resume();
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(received).toBe(1024 * 1024);
  });
});
