import type { StreamingRead } from '@eventstore/db-client';

/**
 * Iterates a client read and cancels the gRPC call when the caller stops early or the read fails.
 * Breaking out of `for await` only destroys the client's wrapper stream; the gRPC call underneath
 * stays open until cancelled.
 */
export async function* readEvents<E>(read: StreamingRead<E>): AsyncGenerator<E> {
  let completed = false;
  try {
    for await (const item of read) yield item;
    completed = true;
  } finally {
    if (!completed) {
      // Cancelling a call that never started (the connection failed) rejects; the original error matters more.
      await read.cancel().catch(() => undefined);
    }
  }
}
