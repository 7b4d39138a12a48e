/**
 * C stdio's buffering of stdout, which decides what a pipe sees first when dmsetup runs a child
 * (`ls --exec`): on a terminal every line goes out at once; into a pipe or file dmsetup's own
 * output waits in a 4096-byte buffer, so a child's output (written straight to the same file)
 * comes before it. tsdmsetup buffers the same way so that the bytes arrive in the same order.
 */
import { writeSync } from 'node:fs';
import type { Output } from './context.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** glibc's buffer size for a pipe or a regular file (st_blksize). */
const BUFFER_SIZE = 4096;

/** stdout as C stdio would buffer it: line-buffered on a terminal, else in 4096-byte blocks. */
export class StdioBuffer implements Output {
  private pending: Buffer[] = [];
  private size = 0;
  /**
   * The first write error (ENOSPC on /dev/full, EPIPE, EIO): like stdio's error flag, it is kept
   * and later output is dropped, so a failed write never throws out of a command half-way; the
   * program reports it once at exit (bin.ts).
   */
  error: NodeJS.ErrnoException | undefined;

  constructor(
    private readonly fd: number,
    private readonly lineBuffered: boolean,
  ) {}

  write(text: string): void {
    if (this.error) return;
    const bytes = Buffer.from(text);
    this.pending.push(bytes);
    this.size += bytes.length;
    if (this.lineBuffered ? text.includes('\n') : this.size >= BUFFER_SIZE) this.flush();
  }

  /** Writes out what is buffered (stdio does at exit). */
  flush(): void {
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.size = 0;
    let offset = 0;
    while (offset < data.length) {
      try {
        offset += writeSync(this.fd, data, offset);
      } catch (error) {
        // A non-blocking pipe whose reader is slow: wait a moment and go on, as a blocking write would.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
          this.error ??= error as NodeJS.ErrnoException;
          return;
        }
        Atomics.wait(pause, 0, 0, 2);
      }
    }
  }
}
