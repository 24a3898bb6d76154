/**
 * The book's text as HTML, like BookNLP's `.book.html`: spacing from the
 * tokens' byte offsets, paragraphs from `paragraph_ID`, Gutenberg's `_italic_`
 * as italics, each character's mentions and each quote's speaker marked.
 * Rendered a block of paragraphs at a time (pure; unit-tested in
 * test/booktext.test.ts).
 */

import { IEntities, IQuote, ITokens } from './bookcsv';

/** The first token of each paragraph. */
export function paragraphStarts(tokens: ITokens): Int32Array {
  const starts: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (i === 0 || tokens.paragraph[i] !== tokens.paragraph[i - 1]) {
      starts.push(i);
    }
  }
  return Int32Array.from(starts);
}

/**
 * Paragraphs grouped into blocks of about `tokensPerBlock` tokens: the first
 * paragraph of each block (the view renders only the blocks near the screen).
 */
export function blocks(
  starts: Int32Array,
  tokenCount: number,
  tokensPerBlock = 1500
): Int32Array {
  const out: number[] = [];
  let blockStart = -Infinity;
  for (let p = 0; p < starts.length; p++) {
    if (starts[p] - blockStart >= tokensPerBlock || out.length === 0) {
      out.push(p);
      blockStart = starts[p];
    }
  }
  return Int32Array.from(tokenCount > 0 ? out : []);
}

/** The character mentions and quotes to mark, sorted by start token. */
export interface IMarks {
  /** Mentions of characters: start, end (inclusive), who, proper/common (1) or pronoun (0). */
  mStart: Int32Array;
  mEnd: Int32Array;
  mWho: Float64Array;
  mNamed: Uint8Array;
  quotes: IQuote[];
}

/** The person mentions of `characters` (their ids) and every quote. */
export function buildMarks(
  entities: IEntities,
  quotes: IQuote[],
  characters: Set<number>
): IMarks {
  let keep = new Int32Array(entities.length);
  let n = 0;
  let sorted = true;
  for (let i = 0; i < entities.length; i++) {
    if (entities.person[i] && characters.has(entities.coref[i])) {
      if (n > 0) {
        const prev = keep[n - 1];
        const d =
          entities.start[prev] - entities.start[i] ||
          entities.end[i] - entities.end[prev];
        sorted &&= d <= 0;
      }
      keep[n++] = i;
    }
  }
  keep = keep.subarray(0, n);
  if (!sorted) {
    // outer mentions first where two start together
    keep = Int32Array.from(
      Array.from(keep).sort(
        (a, b) =>
          entities.start[a] - entities.start[b] ||
          entities.end[b] - entities.end[a]
      )
    );
  }
  const marks: IMarks = {
    mStart: new Int32Array(n),
    mEnd: new Int32Array(n),
    mWho: new Float64Array(n),
    mNamed: new Uint8Array(n),
    quotes: [...quotes].sort((a, b) => a.start - b.start)
  };
  for (let k = 0; k < n; k++) {
    const i = keep[k];
    marks.mStart[k] = entities.start[i];
    marks.mEnd[k] = entities.end[i];
    marks.mWho[k] = entities.coref[i];
    marks.mNamed[k] = entities.prop[i] < 2 ? 1 : 0;
  }
  return marks;
}

/** The first index in sorted `values` with a value >= `x`. */
export function lowerBound(
  values: ArrayLike<number>,
  x: number,
  lo = 0,
  hi = values.length
): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** How a mark looks: the colour slot (or -1) and the name of each character. */
export interface ILook {
  slot(id: number): number;
  name(id: number): string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, c => ESCAPES[c]);
}

function slotClass(look: ILook, id: number): string {
  const slot = look.slot(id);
  return slot < 0 ? 'jp-BookNLP-cx' : `jp-BookNLP-c${slot}`;
}

function quoteOpen(q: IQuote, look: ILook, label: boolean): string {
  if (q.charId === null) {
    return '<span class="jp-BookNLP-q jp-BookNLP-q-none" title="unattributed">';
  }
  const name = escapeHtml(look.name(q.charId));
  const cls = slotClass(look, q.charId);
  const who = label
    ? `<span class="jp-BookNLP-who ${cls}" data-char="${q.charId}">${name}</span>`
    : '';
  return `<span class="jp-BookNLP-q ${cls}" data-speaker="${q.charId}" title="${name}">${who}`;
}

/**
 * Paragraphs `fromPara..toPara-1` as HTML: `<p>` each, a character's mentions
 * as `<span class="jp-BookNLP-m">` (colour by character), each quote as
 * `<span class="jp-BookNLP-q">` with its speaker's name before it. A mention
 * that crosses a quote's edge is left unmarked (HTML must nest); a quote over
 * several paragraphs is marked in each.
 */
export function renderParagraphs(
  tokens: ITokens,
  starts: Int32Array,
  marks: IMarks,
  look: ILook,
  fromPara: number,
  toPara: number
): string {
  const out: string[] = [];
  const quoteStarts = marks.quotes.map(q => q.start);
  for (let p = fromPara; p < Math.min(toPara, starts.length); p++) {
    const a = starts[p];
    const b = p + 1 < starts.length ? starts[p + 1] : tokens.length;
    out.push(`<p data-p="${p}">`);
    // the quote open at the paragraph's start, or the next one
    let qi = lowerBound(quoteStarts, a);
    if (qi > 0 && marks.quotes[qi - 1].end >= a) {
      qi -= 1;
    }
    let mi = lowerBound(marks.mStart, a);
    let quote: IQuote | null = null;
    const open: number[] = []; // ends of the open mentions, innermost last
    let italic = false;
    for (let i = a; i < b; i++) {
      let word = tokens.word[i];
      const space = i > a && tokens.onset[i] > tokens.offset[i - 1];
      if (space) {
        out.push(' ');
      }
      while (!quote && qi < marks.quotes.length && marks.quotes[qi].end < i) {
        qi++; // a quote that could not open (it began inside a mention)
      }
      if (
        !quote &&
        open.length === 0 &&
        qi < marks.quotes.length &&
        marks.quotes[qi].start <= i
      ) {
        quote = marks.quotes[qi];
        out.push(quoteOpen(quote, look, quote.start >= a));
      }
      while (mi < marks.mStart.length && marks.mStart[mi] <= i) {
        const end = marks.mEnd[mi];
        const inside =
          marks.mStart[mi] === i &&
          (open.length === 0 || end <= open[open.length - 1]) &&
          (!quote || end <= quote.end);
        if (inside) {
          const who = marks.mWho[mi];
          const cls = marks.mNamed[mi]
            ? 'jp-BookNLP-m'
            : 'jp-BookNLP-m jp-BookNLP-pron';
          out.push(
            `<span class="${cls} ${slotClass(look, who)}" data-char="${who}" title="${escapeHtml(look.name(who))}">`
          );
          open.push(end);
        }
        mi++;
      }
      // Gutenberg's _italic_: a lone "_" toggles, "_word" opens, "word_" closes
      if (word === '_') {
        italic = !italic;
        word = '';
      } else {
        if (word.length > 1 && word.startsWith('_')) {
          italic = true;
          word = word.slice(1);
        }
        const closes = word.length > 1 && word.endsWith('_');
        if (closes) {
          word = word.slice(0, -1);
        }
        const html = escapeHtml(word);
        out.push(italic || closes ? `<i>${html}</i>` : html);
        if (closes) {
          italic = false;
        }
      }
      while (open.length && open[open.length - 1] <= i) {
        open.pop();
        out.push('</span>');
      }
      if (quote && quote.end <= i) {
        out.push('</span>');
        quote = null;
        qi++;
      }
    }
    out.push('</span>'.repeat(open.length + (quote ? 1 : 0)));
    out.push('</p>');
  }
  return out.join('');
}
