/** What one conditional GET of a feed brought. */
export type FeedAnswer =
  | { kind: 'body'; status: number; body: string; etag: string | null; lastModified: string | null }
  | { kind: 'not-modified'; status: 304 }
  | { kind: 'failed'; status: number | null; error: string };

export interface FetchFeedOptions {
  url: string;
  etag: string | null;
  lastModified: string | null;
  headers: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
}

/** Reads at most `maxBytes` of a response body; more is an error, not a truncation. */
async function readCapped(res: Response, maxBytes: number): Promise<string | null> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A conditional GET (If-None-Match / If-Modified-Since) with a time limit on the whole exchange. */
export async function fetchFeed(o: FetchFeedOptions): Promise<FeedAnswer> {
  const headers: Record<string, string> = { Accept: 'application/xml, application/json;q=0.9, */*;q=0.5', ...o.headers };
  if (o.etag) headers['If-None-Match'] = o.etag;
  if (o.lastModified) headers['If-Modified-Since'] = o.lastModified;
  const signal = AbortSignal.timeout(o.timeoutMs);
  try {
    const res = await fetch(o.url, { headers, signal, redirect: 'follow' });
    if (res.status === 304) {
      await res.body?.cancel();
      return { kind: 'not-modified', status: 304 };
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      return { kind: 'failed', status: res.status, error: `HTTP ${res.status}` };
    }
    const body = await readCapped(res, o.maxBytes);
    if (body === null) return { kind: 'failed', status: 200, error: `body over ${o.maxBytes} bytes` };
    return { kind: 'body', status: 200, body, etag: res.headers.get('ETag'), lastModified: res.headers.get('Last-Modified') };
  } catch (err) {
    const timedOut = signal.aborted;
    return {
      kind: 'failed',
      status: null,
      error: timedOut ? `no answer within ${o.timeoutMs} ms` : `request failed: ${(err as Error).message}`.slice(0, 300),
    };
  }
}
