/**
 * The teacher key: made in the teacher's browser the first time they host, kept in localStorage, and sent as
 * `Authorization: Bearer <key>` with everything a teacher does over HTTP. The server keeps only its hash: every
 * session and recording made with it is the teacher's (docs/security.md). Copied to another machine (the host
 * page and the recordings list show it), it opens the same recordings there.
 */
const STORAGE = 'oom-arena:teacher-key';

/** What a key looks like (the server accepts the same): 16–128 URL-safe characters. */
export const TEACHER_KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

let memory: string | null = null;

function makeKey(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** This browser's teacher key, made on first use. (Private browsing without storage: one per page load.) */
export function teacherKey(): string {
  try {
    const saved = localStorage.getItem(STORAGE);
    if (saved && TEACHER_KEY_PATTERN.test(saved)) return saved;
    const key = memory ?? makeKey();
    localStorage.setItem(STORAGE, key);
    return key;
  } catch {
    memory ??= makeKey();
    return memory;
  }
}

/** Use a key brought from another machine. False when it does not look like a teacher key. */
export function useTeacherKey(raw: string): boolean {
  const key = raw.trim();
  if (!TEACHER_KEY_PATTERN.test(key)) return false;
  memory = key;
  try {
    localStorage.setItem(STORAGE, key);
  } catch {
    // Private browsing: kept for this page only.
  }
  return true;
}

/** The header that says "this teacher": add it to every teacher request. */
export function teacherAuth(): { authorization: string } {
  return { authorization: `Bearer ${teacherKey()}` };
}
