import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import {
  ICharacter,
  characterName,
  characterRows,
  charactersCsv,
  colourSlots,
  detokenize,
  italicPieces,
  joinTokens,
  sortRows
} from '../src/bookdata';
import { at, entitiesOf, quote, tokensOf } from './booktokens';

const CHARACTERS: ICharacter[] = [
  {
    id: 10,
    name: 'Mr. Bennet',
    count: 46,
    g: { argmax: 'he/him/his' },
    mentions: { proper: [{ n: 'Mr. Bennet', c: 16 }], common: [], pronoun: [] }
  },
  {
    id: 14,
    name: 'Mr. Bingley',
    count: 97,
    g: { argmax: 'he/him/his' },
    mentions: {
      proper: [
        { n: 'Mr. Bingley', c: 28 },
        { n: 'Bingley', c: 6 },
        { n: 'Mr. Bingley_', c: 1 },
        { n: '_Bingley_', c: 1 }
      ],
      common: [],
      pronoun: []
    }
  },
  {
    id: 42,
    count: 5,
    g: null,
    mentions: { proper: [], common: [{ n: 'his lady', c: 3 }], pronoun: [] }
  },
  {
    id: 19,
    name: 'Mrs. Bennet',
    count: 24,
    g: { argmax: 'she/her' },
    mentions: { proper: [{ n: 'Mrs. Bennet', c: 9 }], common: [], pronoun: [] }
  }
];

test('a character without a name is called by its most used noun', () => {
  assert.equal(characterName(CHARACTERS[2]), 'his lady');
  assert.equal(characterName({ id: 3, count: 2 }), '#3');
  assert.equal(
    characterName({ id: 4, count: 2, name: 'Boulanger_' }),
    'Boulanger'
  );
});

test('characters: most mentioned first; quotes and first mention once loaded', () => {
  const early = characterRows(CHARACTERS);
  assert.deepEqual(
    early.map(r => [r.name, r.mentions, r.quotes, r.first]),
    [
      ['Mr. Bingley', 97, null, null],
      ['Mr. Bennet', 46, null, null],
      ['Mrs. Bennet', 24, null, null],
      ['his lady', 5, null, null]
    ]
  );
  const quotes = [
    quote(1, 5, 19),
    quote(9, 12, 10),
    quote(20, 30, 19),
    quote(40, 44, null)
  ];
  const entities = entitiesOf([
    [10, 50, 51, 'PROP', true],
    [10, 7, 7, 'PRON', true],
    [19, 60, 61, 'PROP', true],
    [14, 3, 4, 'PROP', true]
  ]);
  const rows = characterRows(CHARACTERS, quotes, entities);
  const byName = new Map(rows.map(r => [r.name, r]));
  assert.equal(byName.get('Mrs. Bennet')!.quotes, 2);
  assert.equal(byName.get('Mr. Bennet')!.quotes, 1);
  assert.equal(byName.get('Mr. Bingley')!.quotes, 0);
  assert.equal(byName.get('Mr. Bennet')!.first, 7);
  assert.equal(byName.get('his lady')!.first, null);
  assert.deepEqual(byName.get('Mr. Bingley')!.aliases, ['Bingley']);
  assert.equal(byName.get('Mr. Bingley')!.gender, 'he/him/his');
  assert.equal(byName.get('his lady')!.named, false);

  const sorted = (key: Parameters<typeof sortRows>[1], desc: boolean) =>
    sortRows(rows, key, desc).map(r => r.name);
  assert.deepEqual(sorted('quotes', true).slice(0, 2), [
    'Mrs. Bennet',
    'Mr. Bennet'
  ]);
  // first appearance: earliest first, characters never mentioned last
  assert.deepEqual(sorted('first', false), [
    'Mr. Bingley',
    'Mr. Bennet',
    'Mrs. Bennet',
    'his lady'
  ]);
  assert.deepEqual(sorted('first', true).slice(-1), ['his lady']);
  assert.deepEqual(sorted('gender', false).slice(0, 2), [
    'Mr. Bingley',
    'Mr. Bennet'
  ]);
  assert.deepEqual(sorted('gender', false).slice(-1), ['his lady']);
  assert.deepEqual(sorted('name', false), [
    'his lady',
    'Mr. Bennet',
    'Mr. Bingley',
    'Mrs. Bennet'
  ]);

  const csv = charactersCsv(sortRows(rows, 'mentions', true)).split('\n');
  assert.equal(csv[0], 'id,name,mentions,quotes,gender,first_token,aliases');
  assert.equal(csv[1], '14,Mr. Bingley,97,0,he/him/his,3,Bingley');
});

test('colour slots go to the most mentioned named characters', () => {
  const slots = colourSlots(CHARACTERS, 2);
  assert.deepEqual(
    [...slots.entries()],
    [
      [14, 0],
      [10, 1]
    ]
  );
});

test('quote text as written: a space only where the byte offsets leave a gap', () => {
  const text =
    '“My dear Mr. Bennet,” said his lady to him one day, “have you heard?”';
  const tokens = tokensOf(text);
  const end = at(tokens, '”');
  assert.equal(joinTokens(tokens, 0, end), '“My dear Mr. Bennet,”');
  const second = at(tokens, '“', 1);
  assert.equal(
    joinTokens(tokens, second, tokens.length - 1),
    '“have you heard?”'
  );
});

test('a tokenized quote reads as prose before the tokens are loaded', () => {
  assert.equal(detokenize('“ My dear Mr. Bennet , ”'), '“My dear Mr. Bennet,”');
  assert.equal(
    detokenize("“ I do n't know ; she 's ( perhaps ) right ! ”"),
    "“I don't know; she's (perhaps) right!”"
  );
});

test('Gutenberg _italic_ marks become italic pieces', () => {
  assert.deepEqual(italicPieces('“_You_ want to tell me, _may_ I?”'), [
    ['“', false],
    ['You', true],
    [' want to tell me, ', false],
    ['may', true],
    [' I?”', false]
  ]);
  assert.deepEqual(italicPieces('no marks'), [['no marks', false]]);
});
