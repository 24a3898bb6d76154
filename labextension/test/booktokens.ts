/** Test helpers: tokens, entities and quotes of a short text. */
import { IEntities, IQuote, ITokens } from '../src/bookcsv';

/**
 * `text` split into words and punctuation as BookNLP does ("_" alone too),
 * with byte offsets (ASCII text: bytes are characters) and a paragraph per
 * blank-line-separated block.
 */
export function tokensOf(text: string): ITokens {
  const word: string[] = [];
  const paragraph: number[] = [];
  const onset: number[] = [];
  const offset: number[] = [];
  let p = 0;
  let last = 0;
  for (const m of text.matchAll(/[A-Za-z0-9']+|[^\sA-Za-z0-9']/g)) {
    if (/\n\s*\n/.test(text.slice(last, m.index))) {
      p++;
    }
    word.push(m[0]);
    paragraph.push(p);
    onset.push(m.index!);
    offset.push(m.index! + m[0].length);
    last = m.index! + m[0].length;
  }
  return {
    length: word.length,
    word,
    paragraph: Int32Array.from(paragraph),
    onset: Float64Array.from(onset),
    offset: Float64Array.from(offset)
  };
}

/** The first token index of `w` at or after `from`. */
export function at(tokens: ITokens, w: string, from = 0): number {
  const i = tokens.word.indexOf(w, from);
  if (i < 0) {
    throw new Error(`no token ${w}`);
  }
  return i;
}

/** Entities from [coref, start, end, prop, person] rows. */
export function entitiesOf(
  rows: [number, number, number, 'PROP' | 'NOM' | 'PRON', boolean][]
): IEntities {
  const props = ['PROP', 'NOM', 'PRON'];
  return {
    length: rows.length,
    coref: Float64Array.from(rows.map(r => r[0])),
    start: Int32Array.from(rows.map(r => r[1])),
    end: Int32Array.from(rows.map(r => r[2])),
    prop: Uint8Array.from(rows.map(r => props.indexOf(r[3]))),
    person: Uint8Array.from(rows.map(r => (r[4] ? 1 : 0)))
  };
}

export function quote(
  start: number,
  end: number,
  charId: number | null,
  text = ''
): IQuote {
  return {
    start,
    end,
    mentionStart: null,
    mentionEnd: null,
    mentionPhrase: null,
    charId,
    quote: text
  };
}
