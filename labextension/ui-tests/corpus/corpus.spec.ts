/**
 * Corpora in a real JupyterLab, in Debian's Chromium. The server
 * (tests/test_lab_corpus.py) serves shelf/ (three short books, the real `lite`
 * engine) and held/ (two books held by one gate file in the controlled engine).
 * Every step leaves a screenshot in BOOKNLP_ARTIFACTS.
 */
import { Locator, Page, expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

const BASE = process.env.BOOKNLP_LAB_URL ?? 'http://127.0.0.1:8888/';
const TOKEN = process.env.BOOKNLP_LAB_TOKEN ?? '';
const GATE = process.env.BOOKNLP_LAB_GATE ?? '';
const ARTIFACTS =
  process.env.BOOKNLP_ARTIFACTS ??
  path.join(__dirname, '..', 'artifacts', 'corpus');
const SHELF_BOOKS = (process.env.BOOKNLP_SHELF_BOOKS ?? '').split(',');
const HELD_BOOKS = (process.env.BOOKNLP_HELD_BOOKS ?? '').split(',');

interface ICorpusState {
  status: string;
  progress: number;
  counts: string;
}

declare global {
  interface Window {
    jupyterapp: any;
    __corpusStates: ICorpusState[];
  }
}

test.describe.configure({ mode: 'serial' });

let page: Page;
let shot = 0;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

async function snap(name: string): Promise<void> {
  shot += 1;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({
    path: path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`)
  });
}

function panel(): Locator {
  return page.locator('#booknlp-jobs');
}

function corpusRow(name: string): Locator {
  return panel()
    .locator('.jp-BookNLP-corpus')
    .filter({
      has: page.locator('.jp-BookNLP-corpus-title', {
        hasText: new RegExp(`^${name}$`)
      })
    });
}

async function showFiles(): Promise<void> {
  const tab = page.locator('.lm-TabBar-tab[data-id="filebrowser"]');
  if ((await tab.getAttribute('aria-selected')) !== 'true') {
    await tab.click();
  }
  await expect(page.locator('.jp-DirListing-content')).toBeVisible();
}

function fileItem(name: string): Locator {
  return page.locator('.jp-DirListing-item', {
    has: page.locator('.jp-DirListing-itemText', {
      hasText: new RegExp(`^${name}$`)
    })
  });
}

function menuItem(text: string | RegExp): Locator {
  return page.locator('.lm-Menu-item', { hasText: text });
}

/** Right-click a folder, choose "Analyze folder with BookNLP", return the dialog. */
async function analyzeFolder(name: string): Promise<Locator> {
  await showFiles();
  await fileItem(name).click({ button: 'right' });
  await menuItem('Analyze folder with BookNLP').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toBeVisible();
  return dialog;
}

function toast(text: string | RegExp): Locator {
  return page.locator('.Toastify__toast', { hasText: text });
}

/** Wait until JupyterLab has started and restored its layout. */
async function labReady(): Promise<void> {
  await page.waitForFunction(() => !!window.jupyterapp, null, {
    timeout: 120_000
  });
  await page.evaluate(async () => {
    await window.jupyterapp.started;
    await window.jupyterapp.restored;
  });
  await expect(page.locator('#jupyterlab-splash')).toHaveCount(0, {
    timeout: 60_000
  });
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  page.on('pageerror', err => pageErrors.push(String(err)));
  page.on('console', msg => {
    if (msg.type() === 'error') {
      const where = msg.location().url;
      consoleErrors.push(where ? `${msg.text()} (${where})` : msg.text());
    }
  });
  await page.goto(`${BASE}lab?token=${TOKEN}`);
  await labReady();
});

test.afterAll(async () => {
  await page?.context().close();
});

test('the folder command is offered on folders, not on files', async () => {
  await showFiles();
  await fileItem('usher.txt').click({ button: 'right' });
  await expect(menuItem('Analyze with BookNLP')).toBeVisible();
  await expect(menuItem('Analyze folder with BookNLP')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await fileItem('shelf').click({ button: 'right' });
  await expect(menuItem('Analyze folder with BookNLP')).toBeVisible();
  await expect(menuItem(/^Analyze with BookNLP/)).toHaveCount(0);
  await snap('folder-context-menu');
  await page.keyboard.press('Escape');
  await expect(page.locator('.lm-Menu')).toHaveCount(0);
});

test('a folder analyzed from the file browser completes as one corpus', async () => {
  const dialog = await analyzeFolder('shelf');
  await expect(dialog).toContainText('Analyze folder with BookNLP');
  await expect(dialog).toContainText(
    `Folder shelf · ${SHELF_BOOKS.length} .txt files`
  );
  await expect(dialog.locator('input[name="output_dir"]')).toHaveValue(
    'booknlp_output/shelf'
  );
  await expect(dialog.locator('input[name="book_id"]')).toHaveCount(0);
  await expect(dialog.locator('select[name="model"]')).toHaveValue('lite');
  await snap('folder-dialog');

  // record every state the corpus row renders from here on
  await page.evaluate(() => {
    window.__corpusStates = [];
    const record = () => {
      const li = document.querySelector<HTMLElement>(
        '#booknlp-jobs .jp-BookNLP-corpus'
      );
      if (!li) {
        return;
      }
      const state = {
        status: li.dataset.status ?? '',
        progress: Number(
          li
            .querySelector('[role="progressbar"]')
            ?.getAttribute('aria-valuenow')
        ),
        counts: li.querySelector('.jp-BookNLP-corpus-counts')?.textContent ?? ''
      };
      const last = window.__corpusStates[window.__corpusStates.length - 1];
      if (
        !last ||
        last.status !== state.status ||
        last.progress !== state.progress ||
        last.counts.split(' · ')[0] !== state.counts.split(' · ')[0]
      ) {
        window.__corpusStates.push(state);
      }
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true
    });
  });
  await dialog.getByRole('button', { name: 'Analyze' }).click();
  await expect(
    toast(
      `BookNLP queued folder “shelf”: ${SHELF_BOOKS.length} books → booknlp_output/shelf.`
    )
  ).toBeVisible();

  await expect(panel()).toBeVisible(); // submitting shows the panel
  const shelf = corpusRow('shelf');
  await expect(shelf).toHaveCount(1);
  await expect(shelf).toHaveAttribute('data-status', 'completed', {
    timeout: 180_000
  });
  const total = SHELF_BOOKS.length;
  await expect(shelf.locator('[role="progressbar"]')).toHaveAttribute(
    'aria-valuenow',
    '100'
  );
  const counts = shelf.locator('[data-testid="booknlp-corpus-counts"]');
  await expect(counts).toHaveText(
    new RegExp(`^${total}/${total} done · took `)
  );
  await expect(shelf.locator('.jp-BookNLP-corpus-output')).toHaveText(
    '→ booknlp_output/shelf · lite'
  );
  await expect(shelf.locator('[data-action="cancel-corpus"]')).toHaveCount(0);
  await snap('corpus-completed');

  const states = await page.evaluate(() => window.__corpusStates);
  fs.writeFileSync(
    path.join(ARTIFACTS, 'shelf-states.json'),
    JSON.stringify(states, null, 2)
  );
  expect(['pending', 'running']).toContain(states[0].status);
  expect(states[states.length - 1].status).toBe('completed');
  const progress = states.map(s => s.progress);
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  const done = states.map(s => Number(s.counts.split('/')[0]));
  expect(done).toEqual([...done].sort((a, b) => a - b));

  // expanded: one row per book, each completed
  const expand = shelf.locator('[data-action="expand"]');
  await expect(expand).toHaveAttribute('aria-expanded', 'false');
  await expand.click();
  await expect(expand).toHaveAttribute('aria-expanded', 'true');
  const books = shelf.locator('.jp-BookNLP-corpus-book');
  await expect(books).toHaveCount(total);
  const ids = await books.evaluateAll(els =>
    els.map(el => (el as HTMLElement).dataset.bookId)
  );
  expect([...ids].sort()).toEqual([...SHELF_BOOKS].sort());
  await expect(
    shelf.locator('.jp-BookNLP-corpus-book[data-status="completed"]')
  ).toHaveCount(total);
  for (const id of SHELF_BOOKS) {
    await expect(
      shelf.locator(`.jp-BookNLP-corpus-book[data-book-id="${id}"]`)
    ).toContainText(id);
  }
  await snap('corpus-expanded');
  await expand.click();
  await expect(books).toHaveCount(0);
});

test('a running corpus is cancelled: its books not started never run', async () => {
  const dialog = await analyzeFolder('held');
  await expect(dialog.locator('input[name="output_dir"]')).toHaveValue(
    'booknlp_output/held'
  );
  await dialog.locator('select[name="model"]').selectOption('test');
  await dialog.getByRole('button', { name: 'Analyze' }).click();
  const held = corpusRow('held');
  await expect(held).toHaveAttribute('data-status', 'running');
  // the newest corpus comes first
  await expect(panel().locator('.jp-BookNLP-corpus').first()).toHaveAttribute(
    'data-status',
    'running'
  );
  await held.locator('[data-action="expand"]').click();
  const book = (status: string) =>
    held.locator(`.jp-BookNLP-corpus-book[data-status="${status}"]`);
  await expect(held.locator('.jp-BookNLP-corpus-book')).toHaveCount(
    HELD_BOOKS.length
  );
  await expect(book('running')).toHaveCount(1);
  await expect(book('pending')).toHaveCount(1);
  const counts = held.locator('[data-testid="booknlp-corpus-counts"]');
  await expect(counts).toContainText('0/2 done · 1 running');
  await snap('held-running');

  await held.locator('[data-action="cancel-corpus"]').click();
  const confirm = page.locator('.jp-Dialog');
  await expect(confirm).toContainText('Cancel this corpus?');
  await expect(confirm).toContainText(
    'The 1 book of “held” not started will not run'
  );
  await snap('cancel-confirm');
  await confirm.getByRole('button', { name: 'Cancel corpus' }).click();
  await expect(toast('BookNLP corpus “held” cancelled.')).toBeVisible();
  await expect(book('cancelled')).toHaveCount(1);
  await expect(book('running')).toHaveCount(1); // not forced: it finishes
  await expect(counts).toHaveText(/^0\/2 done · 1 running · 1 cancelled/);
  await snap('held-cancelled');

  fs.writeFileSync(GATE, 'open');
  await expect(book('completed')).toHaveCount(1, { timeout: 60_000 });
  await expect(held).toHaveAttribute('data-status', 'cancelled');
  await expect(counts).toHaveText(/^1\/2 done · 1 cancelled/);
  await expect(held.locator('[data-action="cancel-corpus"]')).toHaveCount(0);
  await snap('held-over');
});

test('no errors in the page or its console', async () => {
  expect(pageErrors).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
