/**
 * The book view on a long result, timed in Debian's Chromium (run by
 * bench/bookview_bench.py; not part of the test suite). For each section:
 * the time from the click to the first frame that shows it, the time until its
 * tables are all in, the longest main-thread task meanwhile, and the peak JS
 * heap (CDP `Performance.getMetrics`, sampled every 100 ms). Two rounds on
 * fresh pages: the sections in order, and the Text section opened first
 * (cold). Writes BOOKNLP_BENCH_OUT (JSON).
 */
import { CDPSession, Page, test } from '@playwright/test';
import * as fs from 'fs';

const BASE = process.env.BOOKNLP_LAB_URL ?? 'http://127.0.0.1:8888/';
const TOKEN = process.env.BOOKNLP_LAB_TOKEN ?? '';
const JOB = process.env.BOOKNLP_BENCH_JOB ?? '';
const OUT = process.env.BOOKNLP_BENCH_OUT ?? 'bookview-bench.json';

interface IPhase {
  round: string;
  phase: string;
  firstPaintMs: number;
  completeMs: number;
  longestTaskMs: number;
  peakHeapMB: number;
  domNodes: number;
}

declare global {
  interface Window {
    jupyterapp: any;
    __longest: number;
  }
}

test.describe.configure({ mode: 'serial' });
test.setTimeout(600_000);

const results: IPhase[] = [];

/** Samples the JS heap every 100 ms; `peak()` since the last `reset()`. */
class HeapSampler {
  constructor(private readonly cdp: CDPSession) {
    this._timer = setInterval(() => void this._sample(), 100);
  }

  reset(): void {
    this._peak = 0;
  }

  async peak(): Promise<number> {
    await this._sample();
    return this._peak;
  }

  async metric(name: string): Promise<number> {
    const { metrics } = await this.cdp.send('Performance.getMetrics');
    return metrics.find(m => m.name === name)?.value ?? 0;
  }

  stop(): void {
    clearInterval(this._timer);
  }

  private async _sample(): Promise<void> {
    try {
      this._peak = Math.max(this._peak, await this.metric('JSHeapUsedSize'));
    } catch {
      // the page is navigating
    }
  }

  private _peak = 0;
  private _timer: ReturnType<typeof setInterval>;
}

async function openLab(page: Page): Promise<HeapSampler> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`${BASE}lab?token=${TOKEN}`);
  await page.waitForFunction(() => !!window.jupyterapp, null, {
    timeout: 120_000
  });
  await page.evaluate(async () => {
    await window.jupyterapp.started;
    await window.jupyterapp.restored;
    window.__longest = 0;
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        window.__longest = Math.max(window.__longest, e.duration);
      }
    }).observe({ type: 'longtask', buffered: false });
  });
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('booknlp:show-jobs')
  );
  await page
    .locator(`.jp-BookNLP-job[data-job-id="${JOB}"] [data-action="open-book"]`)
    .waitFor({ timeout: 60_000 });
  return new HeapSampler(cdp);
}

/**
 * Click `click`; the ms until the first frame after `shown` matches, and until
 * `complete` (a function body, true when the section has all its tables).
 */
async function timed(
  page: Page,
  heap: HeapSampler,
  round: string,
  phase: string,
  click: string,
  shown: string,
  complete: string
): Promise<void> {
  heap.reset();
  await page.evaluate(() => (window.__longest = 0));
  const [firstPaintMs, completeMs] = await page.evaluate(
    ([click, shown, complete]) =>
      new Promise<[number, number]>(resolve => {
        const done = new Function(complete) as () => boolean;
        const t0 = performance.now();
        let painted = -1;
        (document.querySelector(click) as HTMLElement).click();
        const check = () => {
          if (painted < 0 && document.querySelector(shown)) {
            painted = performance.now() - t0;
          }
          if (painted >= 0 && done()) {
            resolve([painted, performance.now() - t0]);
          } else {
            requestAnimationFrame(check);
          }
        };
        requestAnimationFrame(check);
      }),
    [click, shown, complete]
  );
  await page.waitForTimeout(300); // let the sampler see the settled heap
  results.push({
    round,
    phase,
    firstPaintMs,
    completeMs,
    longestTaskMs: await page.evaluate(() => window.__longest),
    peakHeapMB: (await heap.peak()) / 2 ** 20,
    domNodes: await heap.metric('Nodes')
  });
  console.log(JSON.stringify(results[results.length - 1]));
}

const VIEW = '.jp-BookNLP-bookview:not(.lm-mod-hidden)';
const OPEN = `.jp-BookNLP-job[data-job-id="${JOB}"] [data-action="open-book"]`;
const tab = (s: string) => `${VIEW} [role="tab"][data-section="${s}"]`;
const NOT_LOADING = `return !document.querySelector('[data-testid="booknlp-book-loading"]')`;
const TEXT_READY = `return !!document.querySelector('${VIEW} .jp-BookNLP-text p')`;

test('sections in order: characters, quotes, text, network', async ({
  browser
}) => {
  const page = await browser.newPage();
  const heap = await openLab(page);
  results.push({
    round: 'in order',
    phase: 'JupyterLab loaded (baseline)',
    firstPaintMs: 0,
    completeMs: 0,
    longestTaskMs: 0,
    peakHeapMB: (await heap.peak()) / 2 ** 20,
    domNodes: await heap.metric('Nodes')
  });
  await timed(
    page,
    heap,
    'in order',
    'Characters',
    OPEN,
    `${VIEW} [data-testid="booknlp-characters"] tbody tr`,
    `return ![...document.querySelectorAll('${VIEW} td[data-column="first"]')].some(td => td.textContent === '…')`
  );
  await timed(
    page,
    heap,
    'in order',
    'Quotes',
    tab('quotes'),
    `${VIEW} [data-testid="booknlp-quotes"] li`,
    `return !!document.querySelector('${VIEW} [data-testid="booknlp-quotes"][data-spacing="offsets"]')`
  );
  await timed(
    page,
    heap,
    'in order',
    'Text',
    tab('text'),
    `${VIEW} .jp-BookNLP-text p`,
    TEXT_READY
  );
  // jump to the middle of the book: the blocks there fill, the others stay empty
  heap.reset();
  const jump = await page.evaluate(
    view =>
      new Promise<[number, number, number]>(resolve => {
        const scroller = document.querySelector(
          `${view} [data-testid="booknlp-text"]`
        ) as HTMLElement;
        const t0 = performance.now();
        scroller.scrollTop = scroller.scrollHeight / 2;
        const check = () => {
          const top = scroller.getBoundingClientRect().top + 10;
          const hit = document.elementFromPoint(
            scroller.getBoundingClientRect().left + scroller.clientWidth / 2,
            top + 40
          );
          if (hit?.closest('p[data-p]')) {
            resolve([
              performance.now() - t0,
              scroller.querySelectorAll('.jp-BookNLP-block:not(:empty)').length,
              scroller.querySelectorAll('.jp-BookNLP-block').length
            ]);
          } else {
            requestAnimationFrame(check);
          }
        };
        requestAnimationFrame(check);
      }),
    VIEW
  );
  results.push({
    round: 'in order',
    phase: `Text: jump to the middle (${jump[1]} of ${jump[2]} blocks rendered)`,
    firstPaintMs: jump[0],
    completeMs: jump[0],
    longestTaskMs: await page.evaluate(() => window.__longest),
    peakHeapMB: (await heap.peak()) / 2 ** 20,
    domNodes: await heap.metric('Nodes')
  });
  await timed(
    page,
    heap,
    'in order',
    'Network (conversation)',
    tab('network'),
    `${VIEW} [data-testid="booknlp-network"] circle`,
    NOT_LOADING
  );
  heap.stop();
  await page.close();
});

test('text first (cold): characters, quotes, entities, tokens', async ({
  browser
}) => {
  const page = await browser.newPage();
  const heap = await openLab(page);
  // a fresh page: the restored layout may have reopened the view; close it
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('application:close-all')
  );
  await page.locator('.jp-BookNLP-bookview').waitFor({ state: 'detached' });
  heap.reset();
  await page.evaluate(() => (window.__longest = 0));
  const [firstPaintMs] = await page.evaluate(
    ([job, view]) =>
      new Promise<[number]>(resolve => {
        const t0 = performance.now();
        void window.jupyterapp.commands.execute('booknlp:open-book', {
          jobId: job,
          section: 'text'
        });
        const check = () => {
          if (document.querySelector(`${view} .jp-BookNLP-text p`)) {
            resolve([performance.now() - t0]);
          } else {
            requestAnimationFrame(check);
          }
        };
        requestAnimationFrame(check);
      }),
    [JOB, VIEW]
  );
  await page.waitForTimeout(300);
  results.push({
    round: 'text first',
    phase: 'Text (cold)',
    firstPaintMs,
    completeMs: firstPaintMs,
    longestTaskMs: await page.evaluate(() => window.__longest),
    peakHeapMB: (await heap.peak()) / 2 ** 20,
    domNodes: await heap.metric('Nodes')
  });
  heap.stop();
  await page.close();
  fs.writeFileSync(OUT, JSON.stringify(results, null, 1));
});
