/**
 * The book view in a real JupyterLab, in Debian's Chromium. The server
 * (tests/test_lab_bookview.py) serves pride_excerpt.txt (the first chapters
 * of Pride and Prejudice); the real `lite` engine analyzes it. What the view
 * must show is read from the API and from the text file itself. Screenshots go
 * to BOOKNLP_ARTIFACTS (and to BOOKNLP_DOCS_IMAGES, when set, for the README).
 */
import { Locator, Page, expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

const BASE = process.env.BOOKNLP_LAB_URL ?? 'http://127.0.0.1:8888/';
const TOKEN = process.env.BOOKNLP_LAB_TOKEN ?? '';
const BOOK_FILE = process.env.BOOKNLP_BOOK_FILE ?? '';
const ARTIFACTS =
  process.env.BOOKNLP_ARTIFACTS ??
  path.join(__dirname, '..', 'artifacts', 'bookview');
const DOCS_IMAGES = process.env.BOOKNLP_DOCS_IMAGES ?? '';
const BOOK = path.basename(BOOK_FILE, '.txt');

interface ICharacter {
  id: number;
  name: string;
  count: number;
  mentions: { proper: { n: string; c: number }[] };
}

interface IQuoteRow {
  quote_start: number;
  quote_end: number;
  char_id: number | null;
}

interface ITokenRow {
  word: string;
  paragraph_ID: number;
  byte_onset: number;
  byte_offset: number;
}

declare global {
  interface Window {
    jupyterapp: any;
  }
}

test.describe.configure({ mode: 'serial' });

let page: Page;
let shot = 0;
let jobId = '';
let characters: ICharacter[] = [];
let quotes: IQuoteRow[] = [];
let tokens: ITokenRow[] = [];
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

async function snap(name: string, docs?: string): Promise<void> {
  shot += 1;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(
    ARTIFACTS,
    `${String(shot).padStart(2, '0')}-${name}.png`
  );
  await page.screenshot({ path: file });
  if (docs && DOCS_IMAGES) {
    fs.mkdirSync(DOCS_IMAGES, { recursive: true });
    fs.copyFileSync(file, path.join(DOCS_IMAGES, `bookview-${docs}.png`));
  }
}

function panel(): Locator {
  return page.locator('#booknlp-jobs');
}

function view(): Locator {
  return page.locator('.jp-BookNLP-bookview:visible');
}

function section(name: string): Locator {
  return view().locator(`section[data-section="${name}"]`);
}

async function openSection(name: string): Promise<Locator> {
  await view().locator(`[role="tab"][data-section="${name}"]`).click();
  await expect(section(name)).toBeVisible();
  return section(name);
}

/** The API's answer, with the token (the test's own reading of the result). */
async function api<T>(url: string): Promise<T> {
  const response = await page.request.get(`${BASE}booknlp/v1/${url}`, {
    headers: { Authorization: `token ${TOKEN}` }
  });
  expect(response.status()).toBe(200);
  return (await response.json()) as T;
}

let codepoints: string[] | null = null;

/**
 * The text of tokens start..end as written in the file, spaces collapsed
 * (BookNLP's "byte" offsets count characters, as Python's str does).
 */
function written(start: number, end: number): string {
  codepoints ??= Array.from(fs.readFileSync(BOOK_FILE, 'utf-8'));
  return codepoints
    .slice(tokens[start].byte_onset, tokens[end].byte_offset)
    .join('')
    .replace(/\s+/g, ' ');
}

function named(): ICharacter[] {
  return characters
    .filter(c => c.mentions?.proper?.length)
    .map(c => ({ ...c, name: c.name.replace(/^_+|_+$/g, '') }))
    .sort((a, b) => b.count - a.count);
}

/** The named character who speaks most, and how many quotes are theirs. */
function topSpeaker(): { c: ICharacter; n: number } {
  const counts = new Map<number, number>();
  for (const q of quotes) {
    if (q.char_id !== null) {
      counts.set(q.char_id, (counts.get(q.char_id) ?? 0) + 1);
    }
  }
  const speakers = named()
    .filter(c => (counts.get(c.id) ?? 0) >= 2)
    .sort((a, b) => counts.get(b.id)! - counts.get(a.id)!);
  expect(speakers.length).toBeGreaterThan(0);
  return { c: speakers[0], n: counts.get(speakers[0].id)! };
}

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

test('a real text analyzed from the file browser completes', async () => {
  const files = page.locator('.lm-TabBar-tab[data-id="filebrowser"]');
  if ((await files.getAttribute('aria-selected')) !== 'true') {
    await files.click(); // (a click on the open tab would close the sidebar)
  }
  await page
    .locator('.jp-DirListing-item', { hasText: path.basename(BOOK_FILE) })
    .click({ button: 'right' });
  await page
    .locator('.lm-Menu-item', { hasText: 'Analyze with BookNLP' })
    .click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('select[name="model"]')).toHaveValue('lite');
  await dialog.getByRole('button', { name: 'Analyze' }).click();
  const row = panel().locator('.jp-BookNLP-job', { hasText: BOOK }).first();
  await expect(row).toHaveAttribute('data-status', 'completed', {
    timeout: 180_000
  });
  jobId = (await row.getAttribute('data-job-id')) ?? '';
  expect(jobId).not.toBe('');
  characters = await api(`jobs/${jobId}/result/characters?format=json`);
  quotes = await api(`jobs/${jobId}/result/quotes?format=json`);
  tokens = await api(`jobs/${jobId}/result/tokens?format=json`);
  expect(named().length).toBeGreaterThan(3);
  await expect(row.locator('[data-action="open-book"]')).toHaveText('Open');
});

test('"Open" shows the characters, most mentioned first, sortable', async () => {
  const row = panel().locator(`.jp-BookNLP-job[data-job-id="${jobId}"]`);
  await row.locator('[data-action="open-book"]').click();
  await expect(view()).toBeVisible();
  await expect(
    page.locator(
      '#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel'
    )
  ).toHaveText(BOOK);
  const table = section('characters').locator(
    '[data-testid="booknlp-characters"]'
  );
  const names = table.locator('[data-testid="booknlp-character-name"]');
  const top = named()[0];
  await expect(names.first()).toHaveText(top.name);
  await expect(
    table.locator('tbody tr').first().locator('[data-column="mentions"]')
  ).toHaveText(top.count.toLocaleString('en-US'));
  await expect(names).toHaveCount(named().length);
  // quote counts and first appearances fill in as their tables arrive
  await expect(
    table.locator('td[data-column="quotes"]', { hasText: '…' })
  ).toHaveCount(0);
  await expect(
    table.locator('td[data-column="first"]', { hasText: '…' })
  ).toHaveCount(0);

  await table.locator('th[data-column="quotes"] button').click();
  await expect(table.locator('th[data-column="quotes"]')).toHaveAttribute(
    'aria-sort',
    'descending'
  );
  const speaker = topSpeaker();
  await expect(
    table.locator('tbody tr').first().locator('[data-column="quotes"]')
  ).toHaveText(String(speaker.n));

  await table.locator('th[data-column="first"] button').click();
  const firsts = await table
    .locator('td[data-column="first"]')
    .evaluateAll(tds =>
      tds.map(td => Number(td.getAttribute('title')?.split(' ')[1]))
    );
  expect(firsts).toEqual([...firsts].sort((a, b) => a - b));

  await table.locator('th[data-column="mentions"] button').click();
  await expect(names.first()).toHaveText(top.name);
  await snap('characters', 'characters');

  // the table as shown, as CSV
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    section('characters').locator('[data-action="download-characters"]').click()
  ]);
  expect(download.suggestedFilename()).toBe(`${BOOK}-characters.csv`);
  const csv = fs.readFileSync((await download.path())!, 'utf-8').split('\n');
  expect(csv[0]).toBe('id,name,mentions,quotes,gender,first_token,aliases');
  expect(csv[1].startsWith(`${top.id},${top.name},${top.count},`)).toBe(true);
});

test('quotes read as written, and filter by a character', async () => {
  const { c, n } = topSpeaker();
  const quotesTab = await openSection('quotes');
  const list = quotesTab.locator('[data-testid="booknlp-quotes"]');
  await expect(list).toHaveAttribute('data-spacing', 'offsets');
  const items = list.locator('li');
  await expect(items).toHaveCount(Math.min(quotes.length, 200));
  await quotesTab
    .locator('[data-testid="booknlp-quote-speaker"]')
    .selectOption(String(c.id));
  await expect(items).toHaveCount(n);
  await expect(
    quotesTab.locator('[data-testid="booknlp-quote-count"]')
  ).toHaveText(`${n} quote${n === 1 ? '' : 's'}`);
  const speakers = await items.evaluateAll(lis =>
    lis.map(li => li.getAttribute('data-speaker'))
  );
  expect(new Set(speakers)).toEqual(new Set([String(c.id)]));
  await expect(
    items.locator('[data-testid="booknlp-quote-speaker-name"]').first()
  ).toHaveText(c.name);
  // each quote is the file's own text (italic marks shown as italics)
  const expected = quotes
    .filter(q => q.char_id === c.id)
    .sort((a, b) => a.quote_start - b.quote_start)
    .map(q =>
      written(q.quote_start, q.quote_end).replace(/_([^_\n]+)_/g, '$1')
    );
  const shown = await items
    .locator('.jp-BookNLP-quote-text')
    .evaluateAll(els => els.map(el => el.textContent));
  expect(shown).toEqual(expected);
  expect(shown.join(' ')).not.toMatch(/ [,.;?!”]/);
  await snap('quotes', 'quotes');

  // the Characters table's quote count links to the same filter
  await openSection('characters');
  await quotesTab
    .locator('[data-testid="booknlp-quote-speaker"]')
    .evaluate(el => ((el as HTMLSelectElement).value = 'all'));
  await section('characters')
    .locator(`tr[data-char-id="${c.id}"] [data-action="show-quotes"]`)
    .click();
  await expect(section('quotes')).toBeVisible();
  await expect(items).toHaveCount(n);
});

test('the text shows its characters and speakers marked', async () => {
  const text = await openSection('text');
  const body = text.locator('[data-testid="booknlp-text"]');
  await expect(body.locator('p').first()).toBeVisible();
  const top = named()[0];
  const mentions = body.locator(`.jp-BookNLP-m[data-char="${top.id}"]`);
  await expect(mentions.first()).toBeAttached();
  expect(await mentions.count()).toBeGreaterThan(0);
  const proper = top.mentions.proper.map(m => m.n);
  // its noun phrases include its names ("a young man of large fortune" may come first)
  const phrases = await body
    .locator(`.jp-BookNLP-m[data-char="${top.id}"]:not(.jp-BookNLP-pron)`)
    .allTextContents();
  expect(phrases.filter(p => proper.includes(p)).length).toBeGreaterThan(0);
  await expect(body.locator('.jp-BookNLP-who').first()).toBeAttached();
  // a paragraph with Gutenberg italics, as written in the file, italics rendered
  const underscore = tokens.findIndex(t => t.word === '_');
  expect(underscore).toBeGreaterThan(0);
  const p = tokens[underscore].paragraph_ID;
  const first = tokens.findIndex(t => t.paragraph_ID === p);
  let last = first;
  while (last + 1 < tokens.length && tokens[last + 1].paragraph_ID === p) {
    last++;
  }
  // the view numbers paragraphs in order (data-p), whatever their ids
  const index =
    tokens
      .slice(0, first + 1)
      .filter(
        (t, i) => i === 0 || t.paragraph_ID !== tokens[i - 1].paragraph_ID
      ).length - 1;
  const para = body.locator(`p[data-p="${index}"]`);
  const shown = await para.evaluate(el => {
    const clone = el.cloneNode(true) as HTMLElement;
    clone.querySelectorAll('.jp-BookNLP-who').forEach(w => w.remove());
    return clone.textContent;
  });
  expect(shown).toBe(written(first, last).replace(/_([^_\n]+)_/g, '$1'));
  await expect(para.locator('i').first()).toBeAttached();
  expect(await body.evaluate(el => el.textContent?.includes('_'))).toBe(false);
  await expect(text.locator('[data-testid="booknlp-legend"]')).toContainText(
    top.name
  );
  await snap('text', 'text');
});

test('the network draws the top named characters', async () => {
  const net = await openSection('network');
  const svg = net.locator('[data-testid="booknlp-network"]');
  await expect(svg.locator('circle')).toHaveCount(Math.min(12, named().length));
  await expect(svg.locator('text', { hasText: named()[0].name })).toHaveCount(
    1
  );
  await expect(
    net.locator('[data-testid="booknlp-ties"] li').first()
  ).toBeVisible();
  await snap('network-conversation');
  await net
    .locator('[data-testid="booknlp-network-mode"]')
    .selectOption('cooccurrence');
  await expect(svg.locator('line').first()).toBeAttached();
  await expect(svg.locator('circle')).toHaveCount(Math.min(12, named().length));
  await snap('network', 'network');
});

test('a table downloads as the API serves it (CSV)', async () => {
  await view()
    .locator('[data-testid="booknlp-download-table"]')
    .selectOption('quotes');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    view().locator('[data-action="download-table"]').click()
  ]);
  expect(download.suggestedFilename()).toBe(`${BOOK}-quotes.csv`);
  const lines = fs
    .readFileSync((await download.path())!, 'utf-8')
    .trim()
    .split('\n');
  expect(lines[0]).toContain('"quote_start"');
  expect(lines.length).toBeGreaterThan(quotes.length); // quotes may span lines
});

test('a lite result says it is a first look', async () => {
  await expect(
    view().locator('[data-testid="booknlp-first-look"]')
  ).toContainText('first look');
});

test("the book downloads as BookNLP's own files", async () => {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    view().locator('[data-action="download-booknlp"]').click()
  ]);
  expect(download.suggestedFilename()).toBe(`${BOOK}.booknlp.zip`);
  const zip = fs.readFileSync((await download.path())!);
  expect(zip.subarray(0, 2).toString()).toBe('PK');
  expect(zip.includes(Buffer.from(`${BOOK}.tokens`))).toBe(true);
});

test('the book view follows the dark theme', async () => {
  const colours = () =>
    view().evaluate(el => {
      const style = getComputedStyle(el);
      const text = el.querySelector('.jp-BookNLP-text') as HTMLElement | null;
      return {
        background: style.backgroundColor,
        text: text ? getComputedStyle(text).color : ''
      };
    });
  const light = await colours();
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('apputils:change-theme', {
      theme: 'JupyterLab Dark'
    });
  });
  await expect(page.locator('body')).toHaveAttribute(
    'data-jp-theme-light',
    'false'
  );
  await openSection('text');
  const mean = (rgb: string) => {
    const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
    return (r + g + b) / 3;
  };
  await expect
    .poll(async () => mean((await colours()).background))
    .toBeLessThan(80);
  const dark = await colours();
  expect(dark.background).not.toEqual(light.background);
  expect(mean(dark.text)).toBeGreaterThan(150);
  await expect(section('text').locator('.jp-BookNLP-m').first()).toBeVisible();
  await snap('text-dark', 'dark');
  await openSection('network');
  await snap('network-dark');
});

test('no errors in the page or its console', async () => {
  expect(pageErrors).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
