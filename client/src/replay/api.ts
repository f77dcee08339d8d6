import type { RecordingSummary } from '../../../shared/recording/summary.ts';
import { teacherAuth } from '../lib/teacherKey.ts';

/** The recording routes as the replay view calls them. Errors come back as `{ code, message }`, never thrown. */

export interface ApiError {
  code: string;
  message: string;
  line?: number;
}
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** A recording as the list shows it (the server's summary). */
export type RecordingListItem = RecordingSummary;

/**
 * A request as this teacher (their key in `Authorization`), or with a share link's token instead. Recordings are
 * their owner's: the server answers 401/404 to anyone else.
 */
async function call<T>(
  url: string,
  init: RequestInit & { headers?: Readonly<{ 'content-type'?: string }> } = {},
  share: string | null = null,
): Promise<ApiResult<T>> {
  const r = await request(url, init, share);
  if (!r.ok) return r;
  const res = r.value;
  const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
  return { ok: true, value: (isJson ? await res.json() : res.status === 204 ? '' : await res.text()) as T };
}

/** The fetch both calls and downloads make: a coded error when the server cannot be reached or refuses. */
async function request(
  url: string,
  init: RequestInit & { headers?: Readonly<{ 'content-type'?: string }> },
  share: string | null,
): Promise<ApiResult<Response>> {
  let res: Response;
  try {
    const auth = share ? { authorization: `Bearer ${share}` } : teacherAuth();
    res = await fetch(url, { ...init, headers: { ...init.headers, ...auth } });
  } catch {
    return {
      ok: false,
      error: {
        code: 'OFFLINE',
        message: 'The server cannot be reached. Check the connection and try again.',
      },
    };
  }
  if (res.ok) return { ok: true, value: res };
  const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
  const body = isJson ? ((await res.json().catch(() => null)) as { error?: ApiError } | null) : null;
  return {
    ok: false,
    error: body?.error ?? {
      code: `HTTP_${res.status}`,
      message: `The server answered ${res.status} ${res.statusText}.`,
    },
  };
}

/** Save a response body as a file (a download that needs the teacher key cannot be a plain link). */
export async function downloadAs(url: string, fallbackName: string): Promise<ApiResult<true>> {
  const r = await request(url, {}, null);
  if (!r.ok) return r;
  const res = r.value;
  // The server names the file (a results CSV says which round it scored).
  const named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  const a = document.createElement('a');
  a.href = URL.createObjectURL(await res.blob());
  a.download = named ?? fallbackName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  return { ok: true, value: true };
}

export const recordingUrl = (id: string) => `/api/recordings/${encodeURIComponent(id)}`;

/** The file, as its owner or with a share link's token (`share`). */
export function fetchRecording(id: string, share: string | null = null): Promise<ApiResult<string>> {
  return call<string>(recordingUrl(id), {}, share);
}

export function deleteRecording(id: string): Promise<ApiResult<string>> {
  return call<string>(recordingUrl(id), { method: 'DELETE' });
}

/** A read-only link to this replay for anyone, with or without the students' nicknames. */
export async function shareLink(id: string, names: boolean): Promise<ApiResult<string>> {
  const r = await call<{ path: string }>(`${recordingUrl(id)}/share`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ names }),
  });
  return r.ok ? { ok: true, value: `${location.origin}${r.value.path}` } : r;
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
