import { networkInterfaces } from 'node:os';

/**
 * The URLs students on the same network can open: one per non-internal IPv4 address (what a phone on the school
 * Wi-Fi reaches), then localhost for the teacher's own browser.
 */
export function lanUrls(port: number, interfaces = networkInterfaces()): string[] {
  const urls: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) urls.push(`http://${a.address}:${port}`);
    }
  }
  urls.push(`http://localhost:${port}`);
  return urls;
}
