/**
 * The result tables the book view reads, parsed as they stream in (pure; no
 * JupyterLab imports; unit-tested in test/bookcsv.test.ts).
 *
 * Tabular tables come as CSV (`?format=csv`): a 1,000,000-token `tokens`
 * table is about 70 MB of CSV against 260 MB of JSON, and it is parsed chunk
 * by chunk into typed columns, keeping only the columns the view needs.
 */

/** A CSV field: its text, or null for an empty unquoted field (a null). */
export type Field = string | null;

/**
 * A streaming RFC 4180 parser: `push` text chunks as they arrive, `end` once;
 * `onRow` gets every complete row (the header row too).
 */
export class CsvStream {
  constructor(private readonly onRow: (fields: Field[]) => void) {}

  push(chunk: string): void {
    const text = this._rest ? this._rest + chunk : chunk;
    this._rest = text.slice(this._parse(text, false));
  }

  end(): void {
    if (this._rest) {
      this._parse(this._rest, true);
      this._rest = '';
    }
  }

  /** Parse whole rows from `text`; returns where the unfinished row starts. */
  private _parse(text: string, final: boolean): number {
    const n = text.length;
    let rowStart = 0;
    let i = 0;
    let fields: Field[] = [];
    let afterComma = false;
    while (i < n) {
      let value: Field;
      if (text.charCodeAt(i) === 34 /* " */) {
        let j = i + 1;
        let parts = '';
        for (;;) {
          const k = text.indexOf('"', j);
          if (k < 0 || (k + 1 === n && !final)) {
            return rowStart; // the closing quote (or what follows it) is not here yet
          }
          if (text.charCodeAt(k + 1) === 34) {
            parts += text.slice(j, k + 1);
            j = k + 2;
            continue;
          }
          value = parts + text.slice(j, k);
          i = k + 1;
          break;
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) {
            break;
          }
          j++;
        }
        if (j === n && !final) {
          return rowStart;
        }
        value = j === i ? null : text.slice(i, j);
        i = j;
      }
      fields.push(value);
      afterComma = false;
      if (i < n && text.charCodeAt(i) === 44) {
        i++;
        afterComma = true;
        continue;
      }
      if (i < n && text.charCodeAt(i) === 13) {
        i++;
        if (i === n && !final) {
          return rowStart; // "\r" then perhaps "\n" in the next chunk
        }
      }
      if (i < n && text.charCodeAt(i) === 10) {
        i++;
      }
      this.onRow(fields);
      fields = [];
      rowStart = i;
    }
    if (final && (fields.length || afterComma)) {
      if (afterComma) {
        fields.push(null);
      }
      this.onRow(fields);
      rowStart = n;
    }
    return rowStart;
  }

  private _rest = '';
}

/** A growable column of numbers (NaN for null). */
class NumberColumn<T extends Float64Array | Int32Array> {
  constructor(
    private readonly make: (n: number) => T,
    capacity: number
  ) {
    this.data = make(Math.max(16, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  done(): T {
    return this.data.subarray(0, this.length) as T;
  }

  data: T;
  length = 0;
}

const f64 = (n: number) => new Float64Array(n);
const i32 = (n: number) => new Int32Array(n);

function num(value: Field): number {
  return value === null || value === '' ? NaN : Number(value);
}

/** Builds one table from its CSV rows: the header first, then the data. */
export interface ITableBuilder<T> {
  row(fields: Field[]): void;
  done(): T;
  readonly rows: number;
}

/** Column positions by name, from a header row; throws if one is missing. */
export function columnsOf(header: Field[], names: string[]): number[] {
  return names.map(name => {
    const at = header.indexOf(name);
    if (at < 0) {
      throw new Error(`the table has no column ${name}`);
    }
    return at;
  });
}

/** The `tokens` columns the view needs, as typed arrays. */
export interface ITokens {
  length: number;
  word: string[];
  paragraph: Int32Array;
  /** Byte offsets into the text: a gap between tokens is a space. */
  onset: Float64Array;
  offset: Float64Array;
}

export class TokensBuilder implements ITableBuilder<ITokens> {
  constructor(capacity = 0) {
    this._paragraph = new NumberColumn(i32, capacity);
    this._onset = new NumberColumn(f64, capacity);
    this._offset = new NumberColumn(f64, capacity);
  }

  get rows(): number {
    return this._word.length;
  }

  row(fields: Field[]): void {
    if (!this._cols) {
      this._cols = columnsOf(fields, [
        'word',
        'paragraph_ID',
        'byte_onset',
        'byte_offset'
      ]);
      return;
    }
    const [w, p, on, off] = this._cols;
    this._word.push(this._intern(fields[w] ?? ''));
    this._paragraph.push(num(fields[p]) | 0);
    this._onset.push(num(fields[on]));
    this._offset.push(num(fields[off]));
  }

  done(): ITokens {
    return {
      length: this._word.length,
      word: this._word,
      paragraph: this._paragraph.done(),
      onset: this._onset.done(),
      offset: this._offset.done()
    };
  }

  /**
   * One string per distinct word (a novel has some 20,000 for a million
   * tokens), copied out of the chunk it was cut from: a slice of 13 or more
   * characters would keep its whole chunk alive.
   */
  private _intern(word: string): string {
    let known = this._words.get(word);
    if (known === undefined) {
      known = word.length >= 13 ? word.split('').join('') : word;
      this._words.set(known, known);
    }
    return known;
  }

  private _cols: number[] | null = null;
  private _word: string[] = [];
  private _words = new Map<string, string>();
  private _paragraph: NumberColumn<Int32Array>;
  private _onset: NumberColumn<Float64Array>;
  private _offset: NumberColumn<Float64Array>;
}

/** Mention kinds, as BookNLP's `prop` column names them. */
export const PROPS = ['PROP', 'NOM', 'PRON'] as const;

/** The `entities` table: one mention a row (no text: the tokens have it). */
export interface IEntities {
  length: number;
  /** The character (coreference cluster) id; NaN for none. */
  coref: Float64Array;
  start: Int32Array;
  end: Int32Array;
  /** Index in PROPS (3: other). */
  prop: Uint8Array;
  /** Whether the mention is a person (`cat` PER). */
  person: Uint8Array;
}

export class EntitiesBuilder implements ITableBuilder<IEntities> {
  constructor(capacity = 0) {
    this._coref = new NumberColumn(f64, capacity);
    this._start = new NumberColumn(i32, capacity);
    this._end = new NumberColumn(i32, capacity);
    this._kind = new NumberColumn(i32, capacity);
  }

  get rows(): number {
    return this._coref.length;
  }

  row(fields: Field[]): void {
    if (!this._cols) {
      this._cols = columnsOf(fields, [
        'COREF',
        'start_token',
        'end_token',
        'prop',
        'cat'
      ]);
      return;
    }
    const [c, s, e, p, cat] = this._cols;
    this._coref.push(num(fields[c]));
    this._start.push(num(fields[s]) | 0);
    this._end.push(num(fields[e]) | 0);
    const prop = PROPS.indexOf(fields[p] as (typeof PROPS)[number]);
    this._kind.push((prop < 0 ? 3 : prop) | (fields[cat] === 'PER' ? 4 : 0));
  }

  done(): IEntities {
    const kind = this._kind.done();
    const prop = new Uint8Array(kind.length);
    const person = new Uint8Array(kind.length);
    for (let i = 0; i < kind.length; i++) {
      prop[i] = kind[i] & 3;
      person[i] = kind[i] >> 2;
    }
    return {
      length: kind.length,
      coref: this._coref.done(),
      start: this._start.done(),
      end: this._end.done(),
      prop,
      person
    };
  }

  private _cols: number[] | null = null;
  private _coref: NumberColumn<Float64Array>;
  private _start: NumberColumn<Int32Array>;
  private _end: NumberColumn<Int32Array>;
  private _kind: NumberColumn<Int32Array>;
}

/** One row of the `quotes` table. */
export interface IQuote {
  start: number;
  end: number;
  mentionStart: number | null;
  mentionEnd: number | null;
  mentionPhrase: string | null;
  /** The speaker's character id; null when unattributed. */
  charId: number | null;
  /** BookNLP's tokenized quote text ("“ My dear Mr. Bennet , ”"). */
  quote: string;
}

function intOrNull(value: Field): number | null {
  const n = num(value);
  return Number.isNaN(n) ? null : n;
}

export class QuotesBuilder implements ITableBuilder<IQuote[]> {
  get rows(): number {
    return this._rows.length;
  }

  row(fields: Field[]): void {
    if (!this._cols) {
      this._cols = columnsOf(fields, [
        'quote_start',
        'quote_end',
        'mention_start',
        'mention_end',
        'mention_phrase',
        'char_id',
        'quote'
      ]);
      return;
    }
    const [s, e, ms, me, mp, c, q] = this._cols;
    this._rows.push({
      start: num(fields[s]) | 0,
      end: num(fields[e]) | 0,
      mentionStart: intOrNull(fields[ms]),
      mentionEnd: intOrNull(fields[me]),
      mentionPhrase: fields[mp],
      charId: intOrNull(fields[c]),
      quote: fields[q] ?? ''
    });
  }

  done(): IQuote[] {
    return this._rows.sort((a, b) => a.start - b.start);
  }

  private _cols: number[] | null = null;
  private _rows: IQuote[] = [];
}

/** A table parsed from whole CSV text (tests; small tables). */
export function parseTable<T>(builder: ITableBuilder<T>, csv: string): T {
  const stream = new CsvStream(fields => builder.row(fields));
  stream.push(csv);
  stream.end();
  return builder.done();
}
