import { setTimeout as sleep } from 'node:timers/promises';
import { AidApiError, type AidClient } from '../aid-client';

/** Refusals that can come from a service that has not yet seen what another one just recorded. */
const CATCHING_UP_STATUSES = new Set([400, 404, 409]);
const CATCH_UP_ATTEMPTS = 8;

/**
 * Sends the demo's writes, each with a fixed Idempotency-Key, and counts the events they
 * appended: none for an answer the gateway replayed, else the revisions the aggregate moved by.
 */
export class Recorder {
  events = 0;
  writes = 0;
  replayed = 0;
  private readonly revisions = new Map<string, number>();

  /** The revision this run last saw of an aggregate (-1 before it exists). */
  revisionOf(id: string): number {
    return this.revisions.get(id) ?? -1;
  }

  /** For an aggregate found rather than created (registered before the demo by someone else). */
  know(id: string, revision: number): void {
    this.revisions.set(id, revision);
  }

  /** POST creating an aggregate; answers its id. */
  async create(client: AidClient, path: string, body: unknown, idempotencyKey: string): Promise<string> {
    return (await this.send(client, path, body, idempotencyKey, undefined, false)).id;
  }

  /** POST of a command on the aggregate `id`. */
  async act(
    client: AidClient,
    path: string,
    id: string,
    body: unknown,
    idempotencyKey: string,
  ): Promise<void> {
    await this.send(client, path, body, idempotencyKey, id, false);
  }

  /**
   * As create/act, for a command whose service checks what other services recorded a moment ago
   * (the parties of a proposal, the partnership of a shipment): those reach it through JetStream,
   * a few hundred milliseconds later. A refusal is kept by the gateway as the answer to its
   * Idempotency-Key, so each retry carries a key of its own (`<key>#2`, ...). Run again, the same
   * sequence replays: the refusal, then the success.
   */
  async afterCatchingUp(
    client: AidClient,
    path: string,
    body: unknown,
    idempotencyKey: string,
    id?: string,
  ): Promise<string> {
    return (await this.send(client, path, body, idempotencyKey, id, true)).id;
  }

  private async send(
    client: AidClient,
    path: string,
    body: unknown,
    idempotencyKey: string,
    id: string | undefined,
    retryWhileCatchingUp: boolean,
  ): Promise<{ id: string }> {
    for (let attempt = 1; ; attempt++) {
      const key = attempt === 1 ? idempotencyKey : `${idempotencyKey}#${attempt}`;
      try {
        const answer = await client.write(path, body, { idempotencyKey: key });
        this.writes += 1;
        const before = this.revisionOf(id ?? answer.id);
        if (answer.replayed) this.replayed += 1;
        else this.events += Math.max(0, answer.revision - before);
        this.revisions.set(answer.id, Math.max(before, answer.revision));
        return answer;
      } catch (error) {
        const transient = error instanceof AidApiError && CATCHING_UP_STATUSES.has(error.status);
        if (!retryWhileCatchingUp || !transient || attempt === CATCH_UP_ATTEMPTS) throw error;
        await sleep(150 * attempt);
      }
    }
  }
}

/** Polls until `done` holds (read models are eventually consistent), or fails saying what it waited for. */
export async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await done()) return;
    } catch (error) {
      if (!(error instanceof AidApiError) || error.status !== 404) throw error;
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`, { cause: lastError });
}

/**
 * Waits until the read model behind `path` shows each of `ids` at the revision this run last wrote:
 * the other services learn of those writes through JetStream at about the same time.
 */
export async function inReadModel(
  reader: AidClient,
  path: string,
  ids: string[],
  recorder: Recorder,
): Promise<void> {
  for (const id of ids) {
    await waitFor(`${path}/${id} in the read model`, async () => {
      const { revision } = await reader.get<{ revision: number }>(`${path}/${id}`);
      return revision >= recorder.revisionOf(id);
    });
  }
}
