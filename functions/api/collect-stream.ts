import type { ApiResponse } from '@windhover/runtime';

/**
 * API Gateway cannot stream a response: a streamed answer (server-sent
 * events) becomes one body holding the chunks produced within `budgetMs`,
 * after which the stream is stopped. Event-stream clients reconnect.
 */
export async function collectStream(response: ApiResponse, budgetMs: number): Promise<ApiResponse> {
  if (!response.stream) return response;
  const { stream, ...rest } = response;
  const chunks = stream[Symbol.asyncIterator]();
  const parts: string[] = [];
  const deadline = Date.now() + budgetMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    while (true) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), left);
      });
      const next = await Promise.race([chunks.next(), timeout]);
      clearTimeout(timer);
      if (next === 'timeout' || next.done) break;
      parts.push(next.value);
    }
  } finally {
    clearTimeout(timer);
    void chunks.return?.();
  }
  return { ...rest, body: parts.join('') };
}
