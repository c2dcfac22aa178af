import fs from 'node:fs';
import { once } from 'node:events';

/**
 * A write stream to a scratch file whose failure (a full disk) is kept and thrown at the next write or at close,
 * instead of being emitted as an 'error' no one listens to, which would end the server process.
 */
export interface ScratchWriter {
  /** Writes data, waiting while the stream's buffer is full; throws the stream's error if it has failed. */
  write(data: string | Buffer): Promise<void>;
  /** Ends the file and waits until it is closed; throws the stream's error if it has failed. */
  close(): Promise<void>;
  /** The error the stream failed with, if any. */
  readonly error: Error | null;
}

export function scratchWriter(file: string, opts?: { highWaterMark?: number }): ScratchWriter {
  const stream = fs.createWriteStream(file, opts);
  let error: Error | null = null;
  stream.on('error', (err) => {
    error ??= err;
  });
  return {
    async write(data) {
      if (error) throw error;
      if (!stream.write(data)) await once(stream, 'drain');
    },
    async close() {
      stream.end();
      if (!stream.closed) await once(stream, 'close');
      if (error) throw error;
    },
    get error() {
      return error;
    },
  };
}
