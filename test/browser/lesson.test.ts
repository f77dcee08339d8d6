/**
 * A lesson in Chromium against the real server (docs/game.md): the teacher fills the empty pods with bots and starts
 * a round; the host asks a built-in question, which stops the clock; a student on a phone answers; the projector
 * shows the spread; the reveal shows the student they were right and why; at the end of the round the student sees
 * their post-mortem card and the projector the podium; the CSV carries the answer; round 2 is played from a
 * scenario file (a broken one is named first), and a session can be created from one. Screenshots go to
 * test-artifacts/lesson-*.png.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockOf } from '../../client/src/replay/clock.ts';
import { buildApp, type App } from '../../server/app.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumFor, DIST, ensureClientBuilt, ROOT, watchErrors } from '../bench/clientShared.ts';

const haveChromium = chromiumFor('the lesson browser test');

const ARTIFACTS = join(ROOT, 'test-artifacts');
const EXAMPLE_PATH = join(ROOT, 'docs/examples/friday-deploy.json');
const EXAMPLE = JSON.parse(readFileSync(EXAMPLE_PATH, 'utf8')) as Record<string, unknown>;
let server: App;
let base = '';
let browser: Browser;
const pageErrors: string[] = [];

const watch = (page: Page, who: string): Page => watchErrors(pageErrors, page, who);
const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: join(ARTIFACTS, `lesson-${name}.png`), fullPage, animations: 'disabled' });

describe.skipIf(!haveChromium)('a lesson in Chromium (issue #6)', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await buildApp({ logger: false, clientDir: DIST });
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.app.close();
  });

  it('a student answers a question, sees the reveal and then their post-mortem card', async () => {
    const teacher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const host = watch(await teacher.newPage(), 'host');
    await host.goto(`${base}/host`);
    await host.getByLabel('Scenario').selectOption('classroom');
    await host.getByLabel('Speed').selectOption('10');
    await host.getByRole('button', { name: 'Create session' }).click();
    const code = (await host.getByTestId('join-code').textContent())!.trim();
    const presenter = watch(await teacher.newPage(), 'presenter');
    await presenter.setViewportSize({ width: 1920, height: 1080 });
    await presenter.goto(`${base}/present/${code}`);

    const phoneCtx = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    const phone = watch(await phoneCtx.newPage(), 'phone');
    await phone.goto(`${base}/join/${code}`);
    await phone.getByLabel('Your name').fill('Grace');
    await phone.getByRole('button', { name: 'Join', exact: true }).click();
    await phone.getByTestId('phase').waitFor();

    // Bots fill the empty pods; the host starts round 1.
    const room = server.rooms.get(code)!;
    await host.getByLabel('Fill empty pods with bots').selectOption('careful-guaranteed');
    // The button fills every free pod slot of the classroom's node.
    await host.getByTestId('fill-bots').click();
    await expect.poll(() => room.meta().students, { timeout: 60_000 }).toBeGreaterThan(1);
    await host.getByTestId('start-round').click();
    await expect.poll(() => room.lesson.phase, { timeout: 60_000 }).toBe('round');
    await expect.poll(() => room.state.tick, { timeout: 60_000 }).toBeGreaterThan(100);

    // Ask: the clock stops; the phone shows the question.
    await host.getByLabel('Question').selectOption('builtin:seed-exit-137-oomkilled');
    await host.getByTestId('ask').click();
    const q = phone.getByTestId('question');
    await expect.poll(() => q.textContent(), { timeout: 60_000 }).toMatch(/exits with code 137/);
    const frozen = room.state.tick;
    // The round's countdown stops with the clock, on the projector, the phone and the host's card alike.
    const left = `${clockOf(room.lesson.round!.durationSec * 10 - frozen)} left`;
    await expect.poll(() => presenter.getByTestId('presenter-countdown').textContent()).toBe(left);
    await expect.poll(() => phone.getByTestId('round-countdown').textContent()).toBe(left);
    await expect.poll(() => host.getByTestId('host-countdown').textContent()).toBe(left);
    await phone.getByRole('radio', { name: /OOM killer sent the process SIGKILL/ }).click();
    await expect.poll(() => q.textContent()).toMatch(/Answer locked in: A/);
    expect(room.state.tick).toBe(frozen);
    await shot(phone, 'phone-question');

    // The projector shows the spread (one answer, for A) before the truth.
    await expect
      .poll(() => presenter.getByTestId('presenter-question').textContent(), { timeout: 60_000 })
      .toMatch(/1 answer\b/);
    expect(await presenter.locator('[data-testid=presenter-question] li.right').count()).toBe(0);
    await shot(presenter, 'projector-spread');

    // Reveal: the phone says right, with the explanation; the projector marks the right answer.
    await host.getByTestId('reveal').click();
    await expect
      .poll(() => phone.getByTestId('verdict').textContent(), { timeout: 60_000 })
      .toMatch(/You got it/);
    expect(await q.textContent()).toMatch(/128 \+ 9/);
    await expect
      .poll(() => presenter.locator('[data-testid=presenter-question] li.right').getAttribute('data-choice'))
      .toBe('a');
    await shot(phone, 'phone-reveal', true);
    await shot(presenter, 'projector-reveal');

    // Resume, let it run, end the round: the post-mortem card and the podium.
    await host.getByTestId('resume').click();
    await expect.poll(() => room.state.tick, { timeout: 60_000 }).toBeGreaterThan(frozen + 50);
    await host.getByTestId('end-round').click();
    const card = phone.getByTestId('postmortem');
    await expect.poll(() => card.textContent(), { timeout: 60_000 }).toMatch(/post-mortem/);
    expect(await card.textContent()).toMatch(/✔\s+A pod exits with code 137/);
    expect(await phone.getByTestId('takeaway').textContent()).not.toBe('');
    expect(await phone.getByTestId('pm-rank').textContent()).toMatch(/^#\d+$/);
    await shot(phone, 'phone-postmortem', true);
    await card.screenshot({ path: join(ARTIFACTS, 'lesson-phone-card.png') });
    await phone.getByTestId('podium').screenshot({ path: join(ARTIFACTS, 'lesson-phone-podium.png') });
    await expect
      .poll(() => presenter.getByTestId('presenter-podium').locator('li').count(), { timeout: 60_000 })
      .toBe(3);
    await shot(presenter, 'projector-podium');
    // Esc closes the podium to show the node behind it; p brings it back.
    await presenter.keyboard.press('Escape');
    await expect.poll(() => presenter.getByTestId('presenter-podium').count()).toBe(0);
    await presenter.keyboard.press('p');
    await expect.poll(() => presenter.getByTestId('presenter-podium').count()).toBe(1);
    await shot(host, 'host-results', true);

    // The host's CSV comes from the server's results, with the answer.
    const [download] = await Promise.all([host.waitForEvent('download'), host.getByTestId('csv').click()]);
    const text = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8');
    const lines = text.trim().split(/\r?\n/);
    expect(lines[0]).toContain('q:seed-exit-137-oomkilled');
    expect(lines.find((l) => l.includes(',Grace,'))).toMatch(/a \(right\)$/);

    // Round 2 from a scenario file. A broken file is named at once, in the browser, and nothing is sent.
    const broken = join(ARTIFACTS, 'lesson-broken-scenario.json');
    writeFileSync(broken, JSON.stringify({ ...EXAMPLE, pods: [{ name: 'cache', requestMiB: 512, limitMiB: 256 }] }));
    await host.getByTestId('round-file-input').setInputFiles(broken);
    await expect
      .poll(() => host.getByTestId('round-file-error').textContent())
      .toBe('lesson-broken-scenario.json: Not a valid scenario: pods[0].limitMiB: must be at least requestMiB');
    expect(room.lesson.phase).toBe('results');
    // The example file: its title and what it sets up; its 10 minutes become the round's length.
    await host.getByTestId('round-file-input').setInputFiles(EXAMPLE_PATH);
    const picked = host.getByTestId('round-file-picked');
    await expect.poll(() => picked.textContent()).toContain('Friday deploy');
    expect(await picked.textContent()).toContain('1 scenario pod · up to 30 student pods');
    expect(await host.getByTestId('round-file-error').count()).toBe(0);
    expect(await host.getByLabel('minutes').inputValue()).toBe('10');
    // 50 seats (Grace and the bots) against a file written for 30: the teacher is told before starting.
    expect(await host.getByTestId('round-file-warning').textContent()).toMatch(/up to 30 students: all 50 seated here/);
    await host.getByTestId('start-round').click();
    await expect.poll(() => room.lesson.round?.scenario, { timeout: 60_000 }).toBe('friday-deploy');
    expect(room.lesson.roundNo).toBe(2);
    expect(room.lesson.round?.durationSec).toBe(600);
    await expect
      .poll(() => presenter.getByTestId('presenter-scenario').textContent(), { timeout: 60_000 })
      .toBe('Round 2 · Friday deploy: a leaky cache shares your node');
    await expect.poll(() => phone.getByTestId('phase').textContent(), { timeout: 60_000 }).toMatch(/Simulation running/);
    await expect
      .poll(() => phone.getByTestId('round-line').textContent())
      .toMatch(/^Round 2 · Friday deploy: a leaky cache shares your node · \d+:\d\d left$/);
    await shot(phone, 'phone-round-from-file');
    await shot(host, 'host-round-from-file', true);

    // Round 1's results are still there during round 2, answers and all.
    await host.getByTestId('csv-round').selectOption('1');
    const [old] = await Promise.all([host.waitForEvent('download'), host.getByTestId('csv').click()]);
    expect(old.suggestedFilename()).toBe(`oom-arena-${code}-round-1.csv`);
    const oldText = Buffer.concat(await (await old.createReadStream()).toArray()).toString('utf8');
    expect(oldText).toBe(text);
    await shot(presenter, 'projector-round-from-file');

    expect(pageErrors).toEqual([]);
  }, 180_000); // 49 bots at 10× plus three pages: over a minute on a loaded 2-core machine

  it('a teacher creates a session from a scenario file', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const host = watch(await ctx.newPage(), 'host-file');
    await host.goto(`${base}/host`);
    await host.getByTestId('create-file-input').setInputFiles(EXAMPLE_PATH);
    await expect.poll(() => host.getByTestId('create-file-picked').textContent()).toContain('Friday deploy');
    expect(await host.getByLabel('Scenario').isDisabled()).toBe(true);
    await shot(host, 'host-create-from-file');
    await host.getByRole('button', { name: 'Create session' }).click();
    const code = (await host.getByTestId('join-code').textContent())!.trim();
    const room = server.rooms.get(code)!;
    expect(room.meta()).toMatchObject({ scenario: { name: 'friday-deploy' }, podSlots: 30 });
    expect(room.state.pods.map((p) => p.slot)).toEqual(['cache']);
    await ctx.close();
    expect(pageErrors).toEqual([]);
  });
});
