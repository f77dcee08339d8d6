import type { RecordingSummary } from '../../../shared/recording/summary.ts';

/** The recording routes as the replay view calls them. Errors come back as `{ code, message }`, never thrown. */

export interface ApiError {
  code: string;
  message: string;
  line?: number;
}
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** A recording as the list shows it (the server's summary). */
export type RecordingListItem = RecordingSummary;

async function call<T>(url: string, init?: RequestInit): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    return {
      ok: false,
      error: {
        code: 'OFFLINE',
        message: 'The server cannot be reached. Check the connection and try again.',
      },
    };
  }
  const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
  if (!res.ok) {
    const body = isJson ? ((await res.json().catch(() => null)) as { error?: ApiError } | null) : null;
    return {
      ok: false,
      error: body?.error ?? {
        code: `HTTP_${res.status}`,
        message: `The server answered ${res.status} ${res.statusText}.`,
      },
    };
  }
  return { ok: true, value: (isJson ? await res.json() : await res.text()) as T };
}

export const recordingUrl = (id: string) => `/api/recordings/${encodeURIComponent(id)}`;

export function fetchRecording(id: string): Promise<ApiResult<string>> {
  return call<string>(recordingUrl(id));
}

export async function listRecordings(): Promise<ApiResult<RecordingListItem[]>> {
  const r = await call<{ recordings: RecordingListItem[] }>('/api/recordings');
  return r.ok ? { ok: true, value: r.value.recordings } : r;
}

export async function uploadRecording(file: Blob): Promise<ApiResult<RecordingListItem>> {
  const r = await call<{ recording: RecordingListItem }>('/api/recordings', {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: file,
  });
  return r.ok ? { ok: true, value: r.value.recording } : r;
}

export interface StartedSession {
  code: string;
  hostKey: string;
  hostPath: string;
}

/**
 * The host page opens a session with the host key this browser keeps for its code (client/src/host/HostSession's
 * storage key): a session started from a replay is hosted by the browser that started it.
 */
function rememberHostKey(s: StartedSession): void {
  try {
    localStorage.setItem(`oom-arena:host:${s.code}`, s.hostKey);
  } catch {
    // Private mode without storage: the host page will ask for the key.
  }
}

export async function continueFrom(id: string, tick: number): Promise<ApiResult<StartedSession>> {
  const r = await call<{ session: StartedSession }>(`${recordingUrl(id)}/continue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tick }),
  });
  if (r.ok) rememberHostKey(r.value.session);
  return r.ok ? { ok: true, value: r.value.session } : r;
}

export async function resumeSession(id: string, code: string): Promise<ApiResult<StartedSession>> {
  // The teacher's browser still holds the interrupted session's host key: it proves who may resume it.
  let hostKey: string | null;
  try {
    hostKey = localStorage.getItem(`oom-arena:host:${code}`);
  } catch {
    hostKey = null;
  }
  const r = await call<{ session: StartedSession }>(`${recordingUrl(id)}/resume`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(hostKey ? { hostKey } : {}),
  });
  if (r.ok) rememberHostKey(r.value.session);
  return r.ok ? { ok: true, value: r.value.session } : r;
}
