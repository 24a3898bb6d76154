import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { ICharacter } from '../src/bookdata';
import {
  conversationEdges,
  cooccurrenceEdges,
  forceLayout,
  placeLabels,
  topNamed
} from '../src/booknetwork';
import { entitiesOf, quote } from './booktokens';

const named = (id: number, count: number): ICharacter => ({
  id,
  count,
  mentions: { proper: [{ n: `N${id}`, c: 1 }] }
});

test('top named characters leave out the ones with no proper name', () => {
  const chars: ICharacter[] = [
    named(1, 50),
    {
      id: 0,
      count: 400,
      mentions: { proper: [], pronoun: [{ n: 'I', c: 400 }] }
    },
    named(2, 80),
    named(3, 10)
  ];
  assert.deepEqual(
    topNamed(chars, 2).map(c => c.id),
    [2, 1]
  );
});

test('conversation: a quote answered by another speaker within the window', () => {
  const quotes = [
    quote(0, 5, 1),
    quote(8, 12, 2), // 2 answers 1
    quote(14, 20, 1), // 1 answers 2
    quote(22, 25, 1), // same speaker: no edge
    quote(600, 610, 2), // too far
    quote(612, 615, null), // unattributed: skipped
    quote(616, 620, 3), // 3 answers 2 (the unattributed one between does not count)
    quote(622, 630, 9) // not among the ids
  ];
  const edges = conversationEdges(quotes, new Set([1, 2, 3]), 200);
  assert.deepEqual(edges, [
    { a: 1, b: 2, weight: 2 },
    { a: 2, b: 3, weight: 1 }
  ]);
});

test('co-occurrence counts pairs of mentions within the window', () => {
  const e = entitiesOf([
    [1, 0, 0, 'PROP', true],
    [2, 10, 10, 'PROP', true],
    [1, 30, 30, 'PRON', true],
    [3, 100, 100, 'PROP', true],
    [2, 120, 120, 'PROP', true]
  ]);
  assert.deepEqual(cooccurrenceEdges(e, new Set([1, 2, 3]), 50, 1), [
    { a: 1, b: 2, weight: 2 },
    { a: 2, b: 3, weight: 1 }
  ]);
  assert.deepEqual(cooccurrenceEdges(e, new Set([1, 2, 3]), 50, 2), [
    { a: 1, b: 2, weight: 2 }
  ]);
});

test('the layout is deterministic, inside the box, linked nodes nearer', () => {
  const ids = [1, 2, 3, 4, 5, 6];
  const edges = [
    { a: 1, b: 2, weight: 20 },
    { a: 2, b: 3, weight: 1 },
    { a: 4, b: 5, weight: 3 }
  ];
  const one = forceLayout(ids, edges, 600, 400, { margin: 20 });
  const two = forceLayout(ids, edges, 600, 400, { margin: 20 });
  assert.deepEqual([...one.entries()], [...two.entries()]);
  for (const p of one.values()) {
    assert.ok(
      p.x >= 19.9 && p.x <= 580.1 && p.y >= 19.9 && p.y <= 380.1,
      JSON.stringify(p)
    );
  }
  const d = (a: number, b: number) =>
    Math.hypot(one.get(a)!.x - one.get(b)!.x, one.get(a)!.y - one.get(b)!.y);
  assert.ok(d(1, 2) < d(1, 6), `${d(1, 2)} vs ${d(1, 6)}`);
  assert.ok(d(1, 2) < d(3, 6));
});

test('nodes closer than minDistance are pushed apart, inside the box', () => {
  const ids = [1, 2, 3, 4];
  const edges = [
    { a: 1, b: 2, weight: 100 },
    { a: 3, b: 4, weight: 100 }
  ];
  const layout = forceLayout(ids, edges, 400, 300, {
    margin: 30,
    minDistance: 60
  });
  const points = [...layout.values()];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const d = Math.hypot(
        points[i].x - points[j].x,
        points[i].y - points[j].y
      );
      assert.ok(d >= 59, `${ids[i]}–${ids[j]}: ${d}`);
    }
    assert.ok(points[i].x >= 30 && points[i].x <= 370);
    assert.ok(points[i].y >= 30 && points[i].y <= 270);
  }
});

test('labels are moved apart until none overlap', () => {
  const labels = placeLabels([
    { id: 1, x: 100, y: 100, width: 60, height: 14 },
    { id: 2, x: 110, y: 104, width: 60, height: 14 },
    { id: 3, x: 105, y: 98, width: 60, height: 14 },
    { id: 4, x: 400, y: 100, width: 60, height: 14 }
  ]);
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i];
      const b = labels[j];
      const apart =
        Math.abs(a.x - b.x) * 2 >= a.width + b.width ||
        Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
      assert.ok(apart, `${a.id} and ${b.id} overlap`);
    }
  }
  assert.deepEqual(labels[3], { id: 4, x: 400, y: 100, width: 60, height: 14 });
});
