/**
 * Checks the issue-12 walk runs on every screen: axe-core (0 critical, 0 serious), text that overlaps other text,
 * and whether an element is inside the viewport. They run in the page; none waits on time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core over the whole page as it is now: the critical and serious violations (an empty list passes). The
 * source is evaluated through the debugging protocol, so the page's CSP (script-src 'self') does not block it.
 */
export async function axeSerious(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'critical' || v.impact === 'serious')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

/**
 * Pairs of text runs inside `root` whose boxes overlap (words drawn over each other), as short descriptions. Each
 * text node's line boxes are compared with every other text node's; touching edges (≤ 2 px) do not count.
 */
export async function overlappingText(root: Locator): Promise<string[]> {
  return root.evaluate((el) => {
    const runs: { text: string; rects: DOMRect[] }[] = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      if (!text) continue;
      const parent = n.parentElement;
      if (!parent) continue;
      const style = getComputedStyle(parent);
      if (style.visibility === 'hidden' || style.display === 'none' || parent.closest('[aria-hidden="true"] svg, .visually-hidden')) continue;
      // A closed <details> shows its summary only: the rest is laid out for queries like this one, not drawn.
      if (parent.closest('details:not([open]) > :not(summary)')) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      // What is drawn: each line box cut to the ancestors that clip it (a title shortened with "…" runs on unseen).
      let clip = new DOMRect(-1e6, -1e6, 2e6, 2e6);
      for (let a: Element | null = parent; a && a !== document.documentElement; a = a.parentElement) {
        if (getComputedStyle(a).overflowX === 'visible' && getComputedStyle(a).overflowY === 'visible') continue;
        const b = a.getBoundingClientRect();
        const l = Math.max(clip.left, b.left), t = Math.max(clip.top, b.top);
        clip = new DOMRect(l, t, Math.max(0, Math.min(clip.right, b.right) - l), Math.max(0, Math.min(clip.bottom, b.bottom) - t));
      }
      const rects = [...range.getClientRects()]
        .map((r) => {
          const l = Math.max(r.left, clip.left), t = Math.max(r.top, clip.top);
          return new DOMRect(l, t, Math.min(r.right, clip.right) - l, Math.min(r.bottom, clip.bottom) - t);
        })
        .filter((r) => r.width > 1 && r.height > 1);
      if (rects.length) runs.push({ text, rects });
    }
    const out: string[] = [];
    const overlap = (a: DOMRect, b: DOMRect) =>
      Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
    for (let i = 0; i < runs.length; i++)
      for (let j = i + 1; j < runs.length; j++)
        if (runs[i]!.rects.some((a) => runs[j]!.rects.some((b) => overlap(a, b))))
          out.push(`"${runs[i]!.text.slice(0, 40)}" × "${runs[j]!.text.slice(0, 40)}"`);
    return out;
  });
}

/** Whether the element's box is wholly inside the viewport (what the user sees without scrolling). */
export async function inViewport(el: Locator): Promise<boolean> {
  return el.evaluate((e) => {
    const r = e.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
  });
}

/** The smallest computed font size (px) of visible text inside `root`. */
export async function smallestFontPx(root: Locator): Promise<{ px: number; text: string }> {
  return root.evaluate((el) => {
    let min = { px: Infinity, text: '' };
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      const parent = n.parentElement;
      if (!text || !parent || parent.closest('.visually-hidden, [hidden]')) continue;
      const r = parent.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const px = parseFloat(getComputedStyle(parent).fontSize);
      if (px < min.px) min = { px, text: text.slice(0, 40) };
    }
    return min;
  });
}

/**
 * The parts of the projector's kill card that matter (its heading, the numbers, the explanation) that are cut off:
 * drawn below the bottom of the area that clips the card, or covered by another region. Empty: the card reads whole.
 */
export async function killCardCut(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const area = document.querySelector('[data-testid="kill-area"], .kill-area');
    if (!area) return ['no kill card'];
    const box = area.getBoundingClientRect();
    const cut: string[] = [];
    for (const sel of ['h2', '.facts', '.why']) {
      const el = area.querySelector(sel);
      if (!el) continue;
      const r = el.getBoundingClientRect();
      if (r.bottom > box.bottom + 1 || r.bottom > innerHeight + 1) cut.push(`${sel} ends at ${Math.round(r.bottom)} px, the card's area at ${Math.round(box.bottom)} px`);
      // Whatever is drawn at the element's last line must be the card itself (nothing over it).
      const top = document.elementFromPoint(r.left + 4, r.bottom - 4);
      if (top && !area.contains(top)) cut.push(`${sel} is covered by ${top.tagName.toLowerCase()}.${[...top.classList].join('.')}`);
    }
    return cut;
  });
}
