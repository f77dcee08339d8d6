import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { lanUrls } from './lanUrls.ts';

/**
 * Where students are sent (the projector's address and QR code, the host's link): an address their phones can
 * reach, never the teacher's own `localhost` when the server knows better.
 */
export interface JoinAddress {
  /** Base URL, no trailing slash, e.g. `http://192.168.1.20:3000`. */
  base: string;
  /** Only a loopback address is known: phones cannot open it, and every screen that shows it says so. */
  loopbackOnly: boolean;
  /** Where it came from: PUBLIC_URL, the server's LAN interfaces, or the address the page was opened on. */
  source: 'public' | 'lan' | 'request';
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1|0\.0\.0\.0|\[::\])$/i;

/** Whether a URL (or host) names this computer only. */
export function isLoopback(urlOrHost: string): boolean {
  let host: string;
  try {
    host = new URL(urlOrHost).hostname;
  } catch {
    host = urlOrHost.replace(/:\d+$/, '');
  }
  return LOOPBACK.test(host);
}

/** A PUBLIC_URL as the base students open (behind a proxy), or null when it is not an http(s) URL. */
export function parsePublicUrl(raw: string | undefined): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

/**
 * The base URLs the listening server can be reached on: every LAN IPv4 address when it listens on all interfaces
 * (then localhost), else the one address it is bound to.
 */
export function listeningUrls(address: string | AddressInfo | null, interfaces = networkInterfaces()): string[] {
  if (!address || typeof address === 'string') return [];
  const { address: a, port } = address;
  if (a === '0.0.0.0' || a === '::') return lanUrls(port, interfaces);
  return [`http://${a.includes(':') ? `[${a}]` : a}:${port}`];
}

/**
 * PUBLIC_URL first (the teacher said so); else the first non-loopback address the server listens on; else the
 * address the page came from, if a phone could open it; else loopback, flagged.
 */
export function joinAddress(o: { publicUrl: string | null; known: readonly string[]; requestOrigin: string }): JoinAddress {
  if (o.publicUrl) return { base: o.publicUrl, loopbackOnly: false, source: 'public' };
  const lan = o.known.find((u) => !isLoopback(u));
  if (lan) return { base: lan.replace(/\/+$/, ''), loopbackOnly: false, source: 'lan' };
  return { base: o.requestOrigin, loopbackOnly: isLoopback(o.requestOrigin), source: 'request' };
}

/** What the screens say when only loopback is known. */
export const LOOPBACK_WARNING =
  'Only this computer can open this address. Start the server on the network (HOST=0.0.0.0, the default) or set PUBLIC_URL to the address students can reach.';
