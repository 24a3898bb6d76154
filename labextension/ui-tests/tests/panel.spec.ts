/**
 * The BookNLP panel in a real JupyterLab, in Debian's Chromium. The server
 * (tests/test_lab_ui.py) serves usher.txt (a 42K-character story, real `lite`
 * engine), held.txt (a controlled-engine job held by a gate file) and queued.txt.
 * Every step leaves a screenshot in BOOKNLP_ARTIFACTS.
 */
import { Locator, Page, expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

const BASE = process.env.BOOKNLP_LAB_URL ?? 'http://127.0.0.1:8888/';
const TOKEN = process.env.BOOKNLP_LAB_TOKEN ?? '';
const ARTIFACTS =
  process.env.BOOKNLP_ARTIFACTS ?? path.join(__dirname, '..', 'artifacts');
/** broken.txt's text: the `broken` engine fails with it as the error. */
const BROKEN_TEXT = process.env.BOOKNLP_BROKEN_TEXT ?? '';
/** Why the `missing` model cannot run (its engine's `unavailable_reason`). */
const MISSING_REASON = process.env.BOOKNLP_MISSING_REASON ?? '';

interface IRowState {
  book: string;
  status: string;
  progress: number;
  meta: string;
}

declare global {
  interface Window {
    jupyterapp: any;
    __booknlpStates: IRowState[];
  }
}

test.describe.configure({ mode: 'serial' });

let page: Page;
let shot = 0;
const pageErrors: string[] = [];

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

function row(book: string): Locator {
  return panel()
    .locator('.jp-BookNLP-job')
    .filter({
      has: page.locator('.jp-BookNLP-job-title', {
        hasText: new RegExp(`^${book}$`)
      })
    })
    .first();
}

async function showPanel(): Promise<void> {
  const tab = page.locator('.lm-TabBar-tab[data-id="booknlp-jobs"]');
  if ((await tab.getAttribute('aria-selected')) !== 'true') {
    await tab.click();
  }
  await expect(panel()).toBeVisible();
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

/** Right-click a file, choose "Analyze with BookNLP", return the dialog. */
async function analyzeFromContextMenu(name: string): Promise<Locator> {
  await showFiles();
  await fileItem(name).click({ button: 'right' });
  await page
    .locator('.lm-Menu-item', { hasText: 'Analyze with BookNLP' })
    .click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toBeVisible();
  return dialog;
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

function toast(text: string | RegExp): Locator {
  return page.locator('.Toastify__toast', { hasText: text });
}

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext({
    permissions: ['clipboard-read', 'clipboard-write']
  });
  page = await context.newPage();
  page.on('pageerror', err => pageErrors.push(String(err)));
  await page.goto(`${BASE}lab?token=${TOKEN}`);
  await labReady();
});

test.afterAll(async () => {
  await page?.context().close();
});

test('the panel opens and shows the queue', async () => {
  await showPanel();
  const queue = panel().locator('[data-testid="booknlp-queue"]');
  await expect(queue).toBeVisible();
  await expect(queue.locator('[data-stat="pending"]')).toContainText('0/10');
  await expect(queue.locator('[data-stat="worker"]')).toContainText('ready');
  await expect(panel().locator('.jp-BookNLP-empty')).toBeVisible();
  await expect(page.locator('.jp-BookNLP-status')).toContainText(
    'BookNLP: idle'
  );
  await snap('panel-empty');
});

test('a .txt file submitted from the file browser runs to 100%', async () => {
  const dialog = await analyzeFromContextMenu('usher.txt');
  await expect(dialog).toContainText('File usher.txt');
  await expect(dialog.locator('input[name="book_id"]')).toHaveValue('usher');
  await expect(dialog.locator('select[name="model"]')).toHaveValue('lite');
  await expect(dialog.locator('input[name="pipeline"]:checked')).toHaveCount(5);
  await snap('submit-dialog');

  // record every state the panel renders from here on
  await page.evaluate(() => {
    window.__booknlpStates = [];
    const record = () => {
      for (const li of document.querySelectorAll<HTMLElement>(
        '#booknlp-jobs .jp-BookNLP-job'
      )) {
        const state = {
          book: li.querySelector('.jp-BookNLP-job-title')?.textContent ?? '',
          status: li.dataset.status ?? '',
          progress: Number(
            li
              .querySelector('[role="progressbar"]')
              ?.getAttribute('aria-valuenow')
          ),
          meta: li.querySelector('.jp-BookNLP-job-meta')?.textContent ?? ''
        };
        const last = window.__booknlpStates
          .filter(s => s.book === state.book)
          .pop();
        if (
          !last ||
          last.status !== state.status ||
          last.progress !== state.progress ||
          last.meta.split(' · ')[1] !== state.meta.split(' · ')[1]
        ) {
          window.__booknlpStates.push(state);
        }
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
    page.locator('.Toastify__toast', { hasText: 'BookNLP queued “usher”' })
  ).toBeVisible();

  await expect(panel()).toBeVisible(); // submitting shows the panel
  const usher = row('usher');
  await expect(usher).toHaveAttribute(
    'data-status',
    /pending|running|completed/
  );
  await expect(usher).toHaveAttribute('data-status', 'running', {
    timeout: 60_000
  });
  await snap('usher-running');
  await expect(usher).toHaveAttribute('data-status', 'completed', {
    timeout: 180_000
  });
  await expect(usher.locator('[role="progressbar"]')).toHaveAttribute(
    'aria-valuenow',
    '100'
  );
  await expect(usher.locator('.jp-BookNLP-job-meta')).toContainText('100%');
  await expect(usher.locator('[data-action="open"]')).toBeVisible();
  await snap('usher-completed');

  const states = (await page.evaluate(() => window.__booknlpStates)).filter(
    s => s.book === 'usher'
  );
  fs.writeFileSync(
    path.join(ARTIFACTS, 'usher-states.json'),
    JSON.stringify(states, null, 2)
  );
  const running = states.filter(s => s.status === 'running');
  expect(running.length).toBeGreaterThan(0);
  // between 0 and 100 while running, with a stage named under the bar
  expect(
    running.some(s => s.progress < 100 && s.meta.split(' · ').length >= 4)
  ).toBe(true);
  // the stages it moved through (e.g. loading, spacy, ...), named under the bar
  const stages = new Set(running.map(s => s.meta.split(' · ')[1]));
  expect(stages.size).toBeGreaterThanOrEqual(2);
  const progress = states.map(s => s.progress);
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  expect(states[states.length - 1].status).toBe('completed');
});

test('the same request again says "already analyzed", not "queued"', async () => {
  const first = await row('usher').getAttribute('data-job-id');
  const dialog = await analyzeFromContextMenu('usher.txt');
  await expect(dialog.locator('select[name="model"]')).toHaveValue('lite');
  await dialog.getByRole('button', { name: 'Analyze' }).click();
  const analyzed = toast('BookNLP already analyzed “usher”');
  await expect(analyzed).toBeVisible();
  await expect(toast('BookNLP queued “usher”')).toHaveCount(0);
  await snap('already-analyzed');
  // every submission is a new job, completed at once from the stored result
  const again = row('usher');
  await expect(again).toHaveAttribute('data-reused-from', first!);
  await expect(again).not.toHaveAttribute('data-job-id', first!);
  await expect(again).toHaveAttribute('data-status', 'completed');
  await expect(again.locator('.jp-BookNLP-job-meta')).toHaveText(
    'already analyzed · lite'
  );
  await expect(analyzed).toContainText(`reuses the result of job ${first}`);
});

test('the submit dialog marks the models that cannot run, with why', async () => {
  const dialog = await analyzeFromContextMenu('queued.txt');
  const select = dialog.locator('select[name="model"]');
  await expect(select).toHaveValue('lite');
  const missing = select.locator('option[value="missing"]');
  await expect(missing).toBeDisabled();
  await expect(missing).toContainText('not available');
  await expect(missing).toHaveAttribute('title', MISSING_REASON);
  await expect(select.locator('option[value="lite"]')).toBeEnabled();
  await expect(select.locator('option[value="test"]')).toBeEnabled();
  const reason = dialog.locator(
    '.jp-BookNLP-unavailable li[data-model="missing"]'
  );
  await expect(reason).toContainText(`missing: ${MISSING_REASON}`);
  // the disabled option cannot be chosen
  await expect(
    select.selectOption('missing', { timeout: 2000 })
  ).rejects.toThrow();
  await expect(select).toHaveValue('lite');
  await snap('submit-dialog-unavailable');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
});

test('a pending job is cancelled and a running one stopped', async () => {
  // held.txt waits on a gate in the controlled engine: it keeps the worker busy
  let dialog = await analyzeFromContextMenu('held.txt');
  await dialog.locator('select[name="model"]').selectOption('test');
  await dialog.getByRole('button', { name: 'Analyze' }).click();
  await expect(row('held')).toHaveAttribute('data-status', 'running');

  // queued.txt through the command palette, with the file selected
  await showFiles();
  await fileItem('queued.txt').click();
  await page.keyboard.press('Control+Shift+C');
  const palette = page.locator('#command-palette');
  await expect(palette).toBeVisible();
  await palette.locator('input').fill('Analyze Selected File');
  await snap('command-palette');
  await palette
    .locator('.lm-CommandPalette-item', {
      hasText: 'Analyze Selected File with BookNLP'
    })
    .first()
    .click();
  dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('File queued.txt');
  await dialog.locator('select[name="model"]').selectOption('test');
  await dialog.getByRole('button', { name: 'Analyze' }).click();

  const queued = row('queued');
  await expect(queued).toHaveAttribute('data-status', 'pending');
  await expect(queued.locator('.jp-BookNLP-job-meta')).toContainText(
    '#1 in queue'
  );
  await expect(row('held').locator('.jp-BookNLP-job-meta')).toContainText(
    'waiting'
  );
  const queue = panel().locator('[data-testid="booknlp-queue"]');
  await expect(queue.locator('[data-stat="running"]')).toContainText(
    '1 running'
  );
  await expect(queue.locator('[data-stat="pending"]')).toContainText('1/10');
  await expect(page.locator('.jp-BookNLP-status')).toContainText(
    'BookNLP: 1 running, 1 queued'
  );
  await snap('queue-running-and-pending');

  await queued.locator('[data-action="cancel"]').click();
  await expect(queued).toHaveAttribute('data-status', 'cancelled');
  await expect(queue.locator('[data-stat="pending"]')).toContainText('0/10');
  await snap('pending-cancelled');

  const held = row('held');
  await held.locator('[data-action="stop"]').click();
  const confirm = page.locator('.jp-Dialog');
  await expect(confirm).toContainText('Stop this BookNLP job?');
  await snap('stop-confirm');
  await confirm.getByRole('button', { name: 'Stop job' }).click();
  await expect(held).toHaveAttribute('data-status', 'cancelled');
  await expect(page.locator('.jp-BookNLP-status')).toContainText(
    'BookNLP: idle'
  );
  await snap('running-stopped');
});

test('an API error shows as a notification', async () => {
  const dialog = await analyzeFromContextMenu('queued.txt');
  for (const box of await dialog.locator('input[name="pipeline"]').all()) {
    await box.uncheck();
  }
  await dialog.getByRole('button', { name: 'Analyze' }).click();
  const toast = page.locator('.Toastify__toast', {
    hasText: 'could not queue'
  });
  await expect(toast).toBeVisible();
  await expect(toast).toContainText('pipeline');
  await expect(toast).toBeInViewport({ ratio: 1 });
  await snap('error-notification');
});

test('a failed job: one notification, its whole error readable and copyable', async () => {
  const dialog = await analyzeFromContextMenu('broken.txt');
  await dialog.locator('select[name="model"]').selectOption('broken');
  await dialog.getByRole('button', { name: 'Analyze' }).click();
  const error = `RuntimeError: ${BROKEN_TEXT}`;
  const lines = error.split('\n');
  const broken = row('broken');
  await expect(broken).toHaveAttribute('data-status', 'failed', {
    timeout: 60_000
  });
  const notice = toast('BookNLP job “broken” failed');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText(lines[0]);
  await expect(notice).toContainText(`(+${lines.length - 1} more lines)`);

  const block = broken.locator('[data-testid="booknlp-job-error"]');
  await expect(block.locator('summary')).toContainText(lines[0]);
  const full = block.locator('pre');
  await expect(full).toBeHidden();
  // once per job: the polls since have not announced it again
  await page.waitForTimeout(6000);
  await expect(notice).toHaveCount(1);

  // the notification's action expands the error in the panel
  await notice.getByRole('button', { name: 'Show error' }).click();
  await expect(full).toBeVisible();
  await expect(notice).toHaveCount(0);
  expect(await full.textContent()).toBe(error);
  // still open after the panel re-renders (it polls every few seconds)
  await page.waitForTimeout(6000);
  await expect(full).toBeVisible();
  await snap('failed-error-expanded');
  await block.locator('summary').click();
  await expect(full).toBeHidden();
  await block.locator('summary').click();
  await expect(full).toBeVisible();

  const copy = broken.locator('[data-action="copy-error"]');
  await copy.click();
  await expect(copy).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(error);
});

test('selected text in a notebook cell is analyzed', async () => {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('notebook:create-new', {
      kernelName: 'python3'
    });
  });
  const cellEditor = page
    .locator('.jp-NotebookPanel:visible .jp-Cell .cm-content')
    .first();
  await expect(cellEditor).toBeVisible();
  await cellEditor.click();
  await page.keyboard.type('Emma met Harriet at Hartfield.');
  await page.keyboard.press('Control+A');
  await page
    .locator('.jp-NotebookPanel:visible .jp-Cell')
    .first()
    .click({ button: 'right' });
  await page
    .locator('.lm-Menu-item', { hasText: 'Analyze Selected Text with BookNLP' })
    .click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(
    'Selected text in cell 1 of Untitled.ipynb'
  );
  await expect(dialog).toContainText('30 characters');
  await expect(dialog.locator('input[name="book_id"]')).toHaveValue(
    'Untitled-cell-1'
  );
  await dialog.locator('select[name="model"]').selectOption('test');
  await snap('submit-selection');
  await dialog.getByRole('button', { name: 'Analyze' }).click();
  await expect(row('Untitled-cell-1')).toHaveAttribute(
    'data-status',
    'completed'
  );
});

test('"Open in notebook" inserts a cell that loads the tables and runs it', async () => {
  await showPanel();
  await row('usher').locator('[data-action="open"]').click();
  const nb = page.locator('.jp-NotebookPanel:visible');
  const cell = nb.locator('.jp-CodeCell').nth(1); // below the active cell
  await expect(cell.locator('.cm-content')).toContainText('Client().job(');
  const table = cell.locator('.jp-OutputArea-output table');
  await expect(table).toBeVisible({ timeout: 120_000 });
  const headers = await table.locator('thead th').allTextContents();
  for (const column of [
    'COREF',
    'start_token',
    'end_token',
    'prop',
    'cat',
    'text'
  ]) {
    expect(headers).toContain(column);
  }
  await expect(table.locator('tbody tr').first()).toBeVisible();
  await expect(table.locator('tbody')).toContainText('PER');
  await expect(cell.locator('.jp-OutputArea-output')).not.toContainText(
    'Error'
  );
  await snap('open-entities-table');
});

test('"Open in notebook" with no notebook open creates one', async () => {
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('application:close-all');
  });
  // the notebook has unsaved changes: discard them
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Discard' })
    .click();
  await expect(page.locator('.jp-NotebookPanel:visible')).toHaveCount(0);
  await showPanel();
  await row('Untitled-cell-1').locator('[data-action="open"]').click();
  const nb = page.locator('.jp-NotebookPanel:visible');
  await expect(
    page.locator('.lm-TabBar-tab.lm-mod-current', {
      hasText: 'Untitled1.ipynb'
    })
  ).toBeVisible();
  const cell = nb.locator('.jp-CodeCell').first();
  await expect(nb.locator('.jp-CodeCell')).toHaveCount(1);
  const table = cell.locator('.jp-OutputArea-output table');
  await expect(table).toBeVisible({ timeout: 120_000 });
  // the controlled engine makes capitalised words PER entities
  await expect(table.locator('tbody')).toContainText('Harriet');
  await snap('open-new-notebook');
});

test('the %booknlp_submit widget updates in the page while the kernel is busy', async () => {
  // In the notebook the previous test opened: a job held by a gate file, then a cell
  // that keeps the kernel busy, opens the gate after 8 s and sleeps 10 s more. The
  // widget must show the job running, then reach "completed" while that cell still runs.
  const gate = `/tmp/booknlp-widget-gate-${Date.now()}`;
  const nb = page.locator('.jp-NotebookPanel:visible');
  // The page's widget manager first asks the kernel which widgets exist (a shell
  // request, answered only when the kernel is idle): let it, with one small widget.
  await page.evaluate(async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = panel.content.model.sharedModel;
    cells.insertCell(cells.cells.length, {
      cell_type: 'code',
      source: 'import ipywidgets\nipywidgets.Label("widgets ready")'
    });
    panel.content.activeCellIndex = cells.cells.length - 1;
    await window.jupyterapp.commands.execute(
      'notebook:run-cell-and-select-next'
    );
  });
  await expect(
    nb.locator('.widget-label', { hasText: 'widgets ready' })
  ).toBeVisible({
    timeout: 60_000
  });
  await page.evaluate(async (gate: string) => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = panel.content.model.sharedModel;
    const n = cells.cells.length;
    cells.insertCell(n, {
      cell_type: 'code',
      source:
        `text = "@gate ${gate}\\nMr Darcy spoke to Elizabeth."\n` +
        '%load_ext booknlp_jupyter\n' +
        '%booknlp_submit text --model test'
    });
    cells.insertCell(n + 1, {
      cell_type: 'code',
      source:
        'import pathlib, time\n' +
        `time.sleep(8); pathlib.Path("${gate}").touch()\n` +
        'time.sleep(10)\n"slept"'
    });
    // not awaited: the commands' promises settle only when the cells have run
    panel.content.activeCellIndex = n;
    void window.jupyterapp.commands.execute('notebook:run-cell');
    panel.content.activeCellIndex = n + 1;
    void window.jupyterapp.commands.execute('notebook:run-cell');
  }, gate);
  const status = nb.locator('.booknlp-job .booknlp-status');
  await expect(status).toContainText('running', { timeout: 60_000 });
  await snap('widget-running');
  // once final, the widget replaces itself with a static summary (readable without a
  // widget runtime), sent while the kernel is still busy
  const summary = nb.locator('.booknlp-job-summary .booknlp-status');
  await expect(summary).toContainText('completed', { timeout: 30_000 });
  // the busy cell has not finished: the widget was updated while the kernel worked
  const busy = nb.locator('.jp-CodeCell').last();
  await expect(busy.locator('.jp-InputPrompt')).toContainText('*');
  await expect(busy.locator('.jp-OutputArea-output')).toHaveCount(0);
  await snap('widget-completed-while-busy');
  await expect(busy.locator('.jp-OutputArea-output')).toContainText('slept', {
    timeout: 30_000
  });
});

test('finished jobs are dismissed, and stay dismissed after a reload', async () => {
  await showPanel();
  const queued = row('queued');
  await expect(queued).toHaveAttribute('data-status', 'cancelled');
  await queued.locator('[data-action="dismiss"]').click();
  await expect(queued).toHaveCount(0);
  await expect(row('held')).toBeVisible();
  await expect(row('broken')).toBeVisible();
  await snap('dismissed-one');

  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('docmanager:save-all');
  });
  page.once('dialog', d => void d.accept()); // "leave with unsaved changes?"
  await page.reload();
  await labReady();
  await showPanel();
  await expect(row('held')).toBeVisible();
  await expect(row('broken')).toHaveAttribute('data-status', 'failed');
  await expect(row('queued')).toHaveCount(0);
  // a job that failed before the page loaded is not announced again
  await page.waitForTimeout(2000);
  await expect(toast('failed')).toHaveCount(0);

  const jobs = panel().locator('.jp-BookNLP-job');
  const active = panel().locator(
    '.jp-BookNLP-job[data-status="pending"], .jp-BookNLP-job[data-status="running"]'
  );
  await expect(active).toHaveCount(0);
  await panel().locator('[data-action="clear-finished"]').click();
  await expect(jobs).toHaveCount(0);
  await expect(panel().locator('.jp-BookNLP-empty')).toContainText('dismissed');
  await snap('cleared-finished');

  await panel().locator('[data-action="restore-dismissed"]').click();
  await expect(row('queued')).toBeVisible();
  await expect(row('usher')).toBeVisible();
});

test('the panel follows the dark theme', async () => {
  const light = await panel().evaluate(
    el => getComputedStyle(el).backgroundColor
  );
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('apputils:change-theme', {
      theme: 'JupyterLab Dark'
    });
  });
  await expect(page.locator('body')).toHaveAttribute(
    'data-jp-theme-light',
    'false'
  );
  await showPanel();
  const dark = await panel().evaluate(
    el => getComputedStyle(el).backgroundColor
  );
  expect(dark).not.toEqual(light);
  const [r, g, b] = (dark.match(/\d+/g) ?? []).map(Number);
  expect((r + g + b) / 3).toBeLessThan(100);
  await snap('dark-theme');
  expect(pageErrors).toEqual([]);
});
