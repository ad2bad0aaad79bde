import type { StreamingRead } from '@eventstore/db-client';

/**
 * Iterates a client read; when the caller stops early or the read fails, cancels the gRPC call and
 * lets what is left drain away.
 *
 * Both halves matter. Breaking out of a plain `for await` destroys the client's wrapper stream but
 * leaves the gRPC call open. And a call the server has already completed (a read of one event, say)
 * ignores the cancel: its last messages sit unread behind the destroyed wrapper, the call never
 * reports itself finished, and the client's dispose() then waits for it forever.
 */
export async function* readEvents<E>(read: StreamingRead<E>): AsyncGenerator<E> {
  let completed = false;
  try {
    for await (const item of read.iterator({ destroyOnReturn: false })) yield item as E;
    completed = true;
  } finally {
    if (!completed) {
      // Late failures of an abandoned read have no one to report to; unhandled, they would crash.
      read.on('error', () => undefined);
      read.resume();
      // Cancelling a call that never started (the connection failed) rejects; that is not news.
      await read.cancel().catch(() => undefined);
    }
  }
}
