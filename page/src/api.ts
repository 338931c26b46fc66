/** An answer other than 2xx, carrying the problem+json `detail` the service wrote. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The REST API with this tab's token; a 401 anywhere means the token no longer works. */
export class Api {
  constructor(
    readonly token: string,
    private readonly onUnauthorized: (detail: string) => void = () => undefined,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** Without a body, a POST that carries out what its path names (a plan's apply). */
  post<T>(path: string, body?: unknown): Promise<T> {
    const json = body === undefined ? undefined : { type: 'application/json', text: JSON.stringify(body) };
    return this.request<T>('POST', path, json);
  }

  /** A body sent as written, e.g. a YAML document. */
  postText<T>(path: string, type: string, text: string): Promise<T> {
    return this.request<T>('POST', path, { type, text });
  }

  get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  private async request<T>(method: string, path: string, body?: { type: string; text: string }): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        cache: 'no-store',
        headers: {
          ...this.headers,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': body.type }),
        },
        ...(body === undefined ? {} : { body: body.text }),
      });
    } catch (error) {
      throw new ApiError(0, `the service cannot be reached (${(error as Error).message})`);
    }
    const answer = parse(await response.text());
    if (!response.ok) {
      const problem = isObject(answer) ? answer : null;
      const detail =
        typeof problem?.detail === 'string' ? problem.detail : `HTTP ${response.status} ${response.statusText}`.trim();
      if (response.status === 401) this.onUnauthorized(detail);
      throw new ApiError(response.status, detail);
    }
    return answer as T;
  }
}

/** Every entry of a paged read (`{ events, next }`), following `next` to the end, keeping the last `keep`. */
export async function readToEnd<E>(
  api: Api,
  path: (after: number | null) => string,
  keep = Number.POSITIVE_INFINITY,
): Promise<E[]> {
  const kept: E[] = [];
  for (let after: number | null = null; ;) {
    const page: { events: E[]; next: number | null } = await api.get(path(after));
    kept.push(...page.events);
    if (kept.length > keep) kept.splice(0, kept.length - keep);
    if (page.next === null || page.events.length === 0) return kept;
    after = page.next;
  }
}

/**
 * The newest `keep` entries of the feed without reading it from its start:
 * from a window of positions before `head`, widened fourfold until it holds
 * enough (a rare type may need the whole store) or reaches the first event.
 */
export async function readNewest<E>(api: Api, query: string, head: number, keep: number): Promise<E[]> {
  for (let span = keep; ; span *= 4) {
    const from = Math.max(0, head - span);
    const found = await readToEnd<E>(api, (after) => `/v1/events?${query}&after=${after ?? from}`, keep);
    if (found.length >= keep || from === 0) return found;
  }
}
