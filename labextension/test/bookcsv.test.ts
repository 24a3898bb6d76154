import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import {
  CsvStream,
  EntitiesBuilder,
  Field,
  QuotesBuilder,
  TokensBuilder,
  parseTable
} from '../src/bookcsv';

/** Rows of `csv` fed to a CsvStream in pieces of `size` characters. */
function rowsInPieces(csv: string, size: number): Field[][] {
  const rows: Field[][] = [];
  const stream = new CsvStream(r => rows.push(r));
  for (let i = 0; i < csv.length; i += size) {
    stream.push(csv.slice(i, i + size));
  }
  stream.end();
  return rows;
}

// as pyarrow.csv.write_csv writes: strings quoted, nulls empty and unquoted
const CSV =
  '"a","w","e"\n1,"he said ""hi"", ok",""\n,,","\n3,"two\nlines","x"\n';

test('CSV rows: quotes, doubled quotes, nulls, commas and newlines in fields', () => {
  const expected = [
    ['a', 'w', 'e'],
    ['1', 'he said "hi", ok', ''],
    [null, null, ','],
    ['3', 'two\nlines', 'x']
  ];
  assert.deepEqual(rowsInPieces(CSV, CSV.length), expected);
  // the same rows whatever the chunk boundaries
  for (const size of [1, 2, 3, 5, 7, 11]) {
    assert.deepEqual(rowsInPieces(CSV, size), expected, `chunks of ${size}`);
  }
});

test('CSV without a final newline, CRLF line ends, a trailing empty field', () => {
  assert.deepEqual(rowsInPieces('a,b\r\n1,\r\n2,"x"', 3), [
    ['a', 'b'],
    ['1', null],
    ['2', 'x']
  ]);
});

test('tokens keep word, paragraph and byte offsets as typed columns', () => {
  const csv = [
    '"paragraph_ID","sentence_ID","word","byte_onset","byte_offset","event"',
    '0,0,"“",0,1,"O"',
    '0,0,"My",1,3,"O"',
    '1,1,"dear",5,9,',
    '1,1,",",9,10,"O"',
    '1,1,"acknowledgment",11,25,"O"',
    '1,1,"My",26,28,"O"'
  ].join('\n');
  const tokens = parseTable(new TokensBuilder(), csv);
  assert.equal(tokens.length, 6);
  assert.deepEqual(tokens.word, [
    '“',
    'My',
    'dear',
    ',',
    'acknowledgment',
    'My'
  ]);
  assert.deepEqual(Array.from(tokens.paragraph), [0, 0, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(tokens.onset), [0, 1, 5, 9, 11, 26]);
  assert.deepEqual(Array.from(tokens.offset), [1, 3, 9, 10, 25, 28]);
});

test('a table without a needed column is refused by name', () => {
  assert.throws(
    () => parseTable(new TokensBuilder(), '"word","byte_onset"\n"a",0\n'),
    /no column paragraph_ID/
  );
});

test('entities: coref (NaN for null), span, kind and person', () => {
  const csv = [
    '"COREF","start_token","end_token","prop","cat","text"',
    '7,2,3,"PROP","PER","Mr. Bennet"',
    '7,9,9,"PRON","PER","he"',
    ',12,13,"NOM","LOC","the house"'
  ].join('\n');
  const e = parseTable(new EntitiesBuilder(1), csv);
  assert.equal(e.length, 3);
  assert.deepEqual(Array.from(e.coref.slice(0, 2)), [7, 7]);
  assert.ok(Number.isNaN(e.coref[2]));
  assert.deepEqual(Array.from(e.start), [2, 9, 12]);
  assert.deepEqual(Array.from(e.end), [3, 9, 13]);
  assert.deepEqual(Array.from(e.prop), [0, 2, 1]);
  assert.deepEqual(Array.from(e.person), [1, 1, 0]);
});

test('quotes: sorted by start, unattributed ones with a null speaker', () => {
  const csv = [
    '"quote_start","quote_end","mention_start","mention_end","mention_phrase","char_id","quote"',
    '20,25,,,,,"“ No . ”"',
    '3,9,11,12,"his lady",42,"“ My dear Mr. Bennet , ”"'
  ].join('\n');
  const q = parseTable(new QuotesBuilder(), csv);
  assert.deepEqual(
    q.map(x => [x.start, x.end, x.charId, x.mentionPhrase]),
    [
      [3, 9, 42, 'his lady'],
      [20, 25, null, null]
    ]
  );
  assert.equal(q[0].quote, '“ My dear Mr. Bennet , ”');
});
