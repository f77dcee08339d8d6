/** The routes the server's SPA fallback serves: deep links (a QR code's /join/CODE) work on refresh. */
export type Route =
  | { name: 'home' }
  | { name: 'join'; code: string }
  | { name: 'host'; code: string | null }
  | { name: 'present'; code: string }
  | { name: 'replay'; id: string }
  | { name: 'demo' }
  | { name: 'explain' }
  | { name: 'not_found'; path: string };

/** Parse a pathname into a route; codes are upper-cased so a hand-typed link works. */
export function parseRoute(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  const [head, arg] = parts;
  if (parts.length === 0) return { name: 'home' };
  if (head === 'join' && parts.length <= 2)
    return arg ? { name: 'join', code: arg.toUpperCase() } : { name: 'home' };
  if (head === 'host' && parts.length <= 2) return { name: 'host', code: arg ? arg.toUpperCase() : null };
  if (head === 'present' && arg && parts.length === 2) return { name: 'present', code: arg.toUpperCase() };
  if (head === 'demo' && parts.length === 1) return { name: 'demo' };
  if (head === 'explain' && parts.length === 1) return { name: 'explain' };
  if (head === 'replay' && arg && parts.length === 2) return { name: 'replay', id: arg };
  return { name: 'not_found', path: pathname };
}

/** The History API behind one reactive route; `navigate` is the only writer besides the back button. */
export class Router {
  #path = $state(location.pathname);
  readonly route: Route = $derived(parseRoute(this.#path));

  constructor() {
    window.addEventListener('popstate', () => {
      this.#path = location.pathname;
    });
  }

  get path(): string {
    return this.#path;
  }

  navigate(to: string, opts: { replace?: boolean } = {}): void {
    if (to === location.pathname) return;
    if (opts.replace) history.replaceState(null, '', to);
    else history.pushState(null, '', to);
    this.#path = location.pathname;
    window.scrollTo(0, 0);
  }
}

export const router = new Router();
