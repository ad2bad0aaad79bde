/**
 * `read` done once and its answer remembered; a failure (the server not reachable yet, the schema
 * not migrated) is not remembered, so the next call tries again.
 */
export function rememberedOnSuccess<T>(read: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () => {
    if (!answer) {
      const reading = read();
      answer = reading;
      reading.catch(() => {
        if (answer === reading) answer = undefined;
      });
    }
    return answer;
  };
}
