import type { Duplex } from 'node:stream';

/** A socket whose writes a {@link WriteBatch} coalesces. */
export interface BatchedSocket {
  /** The TCP socket written to. */
  readonly stream: Duplex;
  /** Called once the turn's writes were handed to the kernel: what is left is the peer's backlog. */
  flushed(): void;
}

/**
 * Coalesces the writes of one event-loop turn per socket: the first write of a turn corks the
 * socket, and every socket corked is uncorked once the turn's I/O callbacks are done
 * (`setImmediate`), so the frames amqplib hands over from the reads of the broker socket leave in
 * one `writev` per socket instead of one system call per frame. Order is kept (a corked socket
 * buffers in order, `ws`'s own frames included). A socket's backlog is judged after the uncork
 * (`flushed`), when the kernel has taken what it can: judged while corked, a burst to a client
 * that reads well would look like a backlog.
 */
export class WriteBatch {
  #corked: BatchedSocket[] = [];

  /** Writes `bytes` to `socket.stream` within this turn's batch. */
  write(socket: BatchedSocket, bytes: Buffer): void {
    const { stream } = socket;
    if (stream.writableCorked === 0) {
      stream.cork();
      if (this.#corked.push(socket) === 1) setImmediate(this.#flush);
    }
    stream.write(bytes);
  }

  readonly #flush = (): void => {
    const corked = this.#corked;
    this.#corked = [];
    for (const socket of corked) socket.stream.uncork();
    for (const socket of corked) socket.flushed();
  };
}
