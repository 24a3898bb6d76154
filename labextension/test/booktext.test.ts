import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import {
  ILook,
  blocks,
  buildMarks,
  paragraphStarts,
  renderParagraphs
} from '../src/booktext';
import { at, entitiesOf, quote, tokensOf } from './booktokens';

const TEXT = [
  '“My dear Mr. Bennet,” said his lady to him one day, “have you heard that',
  'Netherfield Park is let at last?”',
  '',
  'Mr. Bennet replied that he had not.',
  '',
  '“_You_ want to tell me, and I have no objection to hearing it.”'
].join('\n');

const NAMES = new Map([
  [1, 'Mr. Bennet'],
  [2, 'Mrs. Bennet']
]);
const LOOK: ILook = {
  slot: id => (id === 1 ? 0 : id === 2 ? 1 : -1),
  name: id => NAMES.get(id) ?? `#${id}`
};

function setup() {
  const tokens = tokensOf(TEXT);
  const bennet = at(tokens, 'Mr');
  const lady = at(tokens, 'his');
  const close1 = at(tokens, '”');
  const open2 = at(tokens, '“', 1);
  const close2 = at(tokens, '”', close1 + 1);
  const replied = at(tokens, 'Mr', bennet + 1);
  const he = at(tokens, 'he', replied);
  const open3 = at(tokens, '“', close2 + 1);
  const entities = entitiesOf([
    [1, bennet, bennet + 2, 'PROP', true], // Mr. Bennet (in the first quote)
    [2, lady, lady + 1, 'NOM', true], // his lady
    [1, replied, replied + 2, 'PROP', true],
    [1, he, he, 'PRON', true],
    [9, 0, 0, 'PROP', true], // not a character: not marked
    [1, close1 - 1, close1 + 1, 'PROP', true] // crosses the quote's end: not marked
  ]);
  const quotes = [
    quote(0, close1, 2),
    quote(open2, close2, 2),
    quote(open3, tokens.length - 1, null)
  ];
  const marks = buildMarks(entities, quotes, new Set([1, 2]));
  return { tokens, marks, starts: paragraphStarts(tokens) };
}

test('paragraphs start where paragraph_ID changes; blocks group them', () => {
  const { tokens, starts } = setup();
  assert.equal(starts.length, 3);
  assert.equal(tokens.word[starts[1]], 'Mr');
  assert.deepEqual(Array.from(blocks(starts, tokens.length, 1)), [0, 1, 2]);
  assert.deepEqual(Array.from(blocks(starts, tokens.length, 10_000)), [0]);
});

test('the text keeps its spacing, marks characters, speakers and italics', () => {
  const { tokens, marks, starts } = setup();
  const html = renderParagraphs(tokens, starts, marks, LOOK, 0, 3);
  const plain = html
    .replace(/<span class="jp-BookNLP-who[^>]*>[^<]*<\/span>/g, '')
    .replace(/<[^>]+>/g, '');
  assert.equal(
    plain,
    '“My dear Mr. Bennet,” said his lady to him one day, “have you heard that Netherfield Park is let at last?”' +
      'Mr. Bennet replied that he had not.' +
      '“You want to tell me, and I have no objection to hearing it.”'
  );
  assert.equal((html.match(/<p data-p=/g) ?? []).length, 3);
  // the speaker's name before each of her quotes, the quote in her colour
  assert.equal(
    (
      html.match(
        /<span class="jp-BookNLP-who jp-BookNLP-c1" data-char="2">Mrs. Bennet<\/span>/g
      ) ?? []
    ).length,
    2
  );
  assert.match(
    html,
    /<span class="jp-BookNLP-q jp-BookNLP-c1" data-speaker="2"/
  );
  // names marked, pronouns marked apart, the non-character and the crossing mention not at all
  assert.match(
    html,
    /<span class="jp-BookNLP-m jp-BookNLP-c0" data-char="1" title="Mr. Bennet">Mr. Bennet<\/span> replied/
  );
  assert.match(
    html,
    /<span class="jp-BookNLP-m jp-BookNLP-pron jp-BookNLP-c0" data-char="1"[^>]*>he<\/span>/
  );
  assert.doesNotMatch(html, /data-char="9"/);
  assert.equal((html.match(/class="jp-BookNLP-m[ "]/g) ?? []).length, 4);
  // _You_ is in italics, its underscores gone
  assert.match(html, /“<i>You<\/i> want/);
  assert.doesNotMatch(html, /_/);
  assert.match(html, /jp-BookNLP-q-none/);
  // every tag closed: as many spans open as close
  assert.equal(
    (html.match(/<span/g) ?? []).length,
    (html.match(/<\/span>/g) ?? []).length
  );
});

test('a paragraph rendered alone reopens the quote it starts inside', () => {
  const text =
    '“One paragraph of a long speech.\n\nAnd another one,” she said.';
  const tokens = tokensOf(text);
  const starts = paragraphStarts(tokens);
  const marks = buildMarks(
    entitiesOf([]),
    [quote(0, at(tokens, '”'), 2)],
    new Set([2])
  );
  const second = renderParagraphs(tokens, starts, marks, LOOK, 1, 2);
  assert.match(
    second,
    /^<p data-p="1"><span class="jp-BookNLP-q jp-BookNLP-c1" data-speaker="2" title="Mrs. Bennet">And/
  );
  assert.doesNotMatch(second, /jp-BookNLP-who/); // the name is shown where the quote starts
  const first = renderParagraphs(tokens, starts, marks, LOOK, 0, 1);
  assert.match(first, /jp-BookNLP-who/);
});

test('text is escaped', () => {
  const tokens = tokensOf('a <b> & "c"');
  const html = renderParagraphs(
    tokens,
    paragraphStarts(tokens),
    buildMarks(entitiesOf([]), [], new Set()),
    LOOK,
    0,
    1
  );
  assert.equal(html, '<p data-p="0">a &lt;b&gt; &amp; &quot;c&quot;</p>');
});
