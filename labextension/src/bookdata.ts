/**
 * The book view's characters and quotes, computed from a result's tables
 * (pure; no JupyterLab imports; unit-tested in test/bookdata.test.ts).
 */

import { IEntities, IQuote, ITokens } from './bookcsv';

/** A name and how often it is used (BookNLP's `.book` `{"n", "c"}`). */
export interface INameCount {
  n: string;
  c: number;
}

/** One character of BookNLP's `.book` JSON (the `characters` table). */
export interface ICharacter {
  id: number;
  /** The display name (this project's engines add it). */
  name?: string | null;
  count: number;
  /** Referential gender: `argmax` is the best guess, e.g. "she/her". */
  g?: { argmax?: string | null; max?: number | null } | null;
  mentions?: {
    proper?: INameCount[];
    common?: INameCount[];
    pronoun?: INameCount[];
  } | null;
}

/** A row of the Characters table. */
export interface ICharacterRow {
  id: number;
  name: string;
  /** Other proper names, most used first. */
  aliases: string[];
  gender: string | null;
  mentions: number;
  /** Quotes spoken; null until the quotes are loaded. */
  quotes: number | null;
  /** The first mention's token; null until the entities are loaded (or none). */
  first: number | null;
  named: boolean;
}

function best(names: INameCount[] | undefined): string | null {
  if (!names || !names.length) {
    return null;
  }
  let top = names[0];
  for (const m of names) {
    if (m.c > top.c || (m.c === top.c && m.n.length > top.n.length)) {
      top = m;
    }
  }
  return top.n;
}

/** The character's name: its own, else its most used proper or common name. */
export function characterName(c: ICharacter): string {
  const name =
    c.name ||
    best(c.mentions?.proper) ||
    best(c.mentions?.common) ||
    best(c.mentions?.pronoun);
  return (name && bare(name)) || `#${c.id}`;
}

/** A name without Gutenberg's italic marks stuck to it ("Boulanger_"). */
function bare(name: string): string {
  return name.replace(/^_+|_+$/g, '');
}

/** Whether the character has a proper name (not only "I", "her friend"...). */
export function isNamed(c: ICharacter): boolean {
  return !!c.mentions?.proper?.length;
}

/** Quotes spoken by each character id. */
export function quoteCounts(quotes: IQuote[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const q of quotes) {
    if (q.charId !== null) {
      counts.set(q.charId, (counts.get(q.charId) ?? 0) + 1);
    }
  }
  return counts;
}

/** Each character id's first mention (its lowest start token). */
export function firstMentions(entities: IEntities): Map<number, number> {
  const first = new Map<number, number>();
  for (let i = 0; i < entities.length; i++) {
    const c = entities.coref[i];
    if (Number.isNaN(c)) {
      continue;
    }
    const known = first.get(c);
    if (known === undefined || entities.start[i] < known) {
      first.set(c, entities.start[i]);
    }
  }
  return first;
}

/**
 * The Characters table, most mentioned first. Quote counts and first
 * appearances are filled in once their tables are there.
 */
export function characterRows(
  characters: ICharacter[],
  quotes: IQuote[] | null = null,
  entities: IEntities | null = null
): ICharacterRow[] {
  const spoken = quotes ? quoteCounts(quotes) : null;
  const first = entities ? firstMentions(entities) : null;
  const rows = characters.map(c => {
    const name = characterName(c);
    return {
      id: c.id,
      name,
      aliases: [...new Set((c.mentions?.proper ?? []).map(m => bare(m.n)))]
        .filter(n => n && n !== name)
        .slice(0, 3),
      gender: c.g?.argmax ?? null,
      mentions: c.count ?? 0,
      quotes: spoken ? (spoken.get(c.id) ?? 0) : null,
      first: first ? (first.get(c.id) ?? null) : null,
      named: isNamed(c)
    };
  });
  return sortRows(rows, 'mentions', true);
}

export type SortKey = 'name' | 'mentions' | 'quotes' | 'gender' | 'first';

/** Rows sorted by one column (stable; empty values last either way). */
export function sortRows(
  rows: ICharacterRow[],
  key: SortKey,
  descending: boolean
): ICharacterRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null || y === null) {
      return x === y ? 0 : x === null ? 1 : -1;
    }
    const order =
      typeof x === 'string'
        ? x.localeCompare(y as string)
        : (x as number) - (y as number);
    return sign * order;
  });
}

/** A character id → colour slot (0..slots-1): the most mentioned named ones. */
export function colourSlots(
  characters: ICharacter[],
  slots = 8
): Map<number, number> {
  const named = characters
    .filter(isNamed)
    .sort((a, b) => b.count - a.count)
    .slice(0, slots);
  return new Map(named.map((c, i) => [c.id, i]));
}

/** The text of tokens `start..end` (inclusive), a space where the byte offsets leave a gap. */
export function joinTokens(
  tokens: ITokens,
  start: number,
  end: number
): string {
  const last = Math.min(end, tokens.length - 1);
  let out = '';
  for (let i = Math.max(0, start); i <= last; i++) {
    if (i > start && tokens.onset[i] > tokens.offset[i - 1]) {
      out += ' ';
    }
    out += tokens.word[i];
  }
  return out;
}

const NO_SPACE_BEFORE =
  /^(?:[,.;:!?)\]}”’»…%]|n't|'s|'ll|'re|'ve|'d|'m|’s|’ll|’re|’ve|’d|’m|n’t)$/i;
const NO_SPACE_AFTER = /^[([{“‘«$]$/;

/**
 * BookNLP's tokenized quote ("“ My dear Mr. Bennet , ”") spaced as prose would
 * be: for the moment before the tokens, whose offsets give the real spacing,
 * are loaded.
 */
export function detokenize(quote: string): string {
  const words = quote.split(' ').filter(w => w !== '');
  let out = '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (
      i > 0 &&
      !NO_SPACE_BEFORE.test(w) &&
      !NO_SPACE_AFTER.test(words[i - 1])
    ) {
      out += ' ';
    }
    out += w;
  }
  return out;
}

/** Text split at Gutenberg's `_italic_` marks: `[text, italic]` pieces. */
export function italicPieces(text: string): [string, boolean][] {
  const pieces: [string, boolean][] = [];
  const re = /_([^_\n]+)_/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) {
      pieces.push([text.slice(at, m.index), false]);
    }
    pieces.push([m[1], true]);
    at = m.index + m[0].length;
  }
  if (at < text.length) {
    pieces.push([text.slice(at), false]);
  }
  return pieces;
}

/** CSV text (RFC 4180, a header row first). */
export function toCsv(
  header: string[],
  rows: (string | number | null)[][]
): string {
  const cell = (v: string | number | null) => {
    if (v === null) {
      return '';
    }
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map(r => r.map(cell).join(',')).join('\n') + '\n';
}

/** The Characters table as CSV, in the order shown. */
export function charactersCsv(rows: ICharacterRow[]): string {
  return toCsv(
    ['id', 'name', 'mentions', 'quotes', 'gender', 'first_token', 'aliases'],
    rows.map(r => [
      r.id,
      r.name,
      r.mentions,
      r.quotes,
      r.gender,
      r.first,
      r.aliases.join('; ')
    ])
  );
}
