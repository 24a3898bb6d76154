/**
 * The character network: who answers whom in conversation, or whose mentions
 * fall near each other, among the top named characters; laid out by a small
 * force simulation (pure, deterministic; unit-tested in
 * test/booknetwork.test.ts).
 */

import { IEntities, IQuote } from './bookcsv';
import { ICharacter, isNamed } from './bookdata';

/** An undirected edge between two character ids (a < b). */
export interface IEdge {
  a: number;
  b: number;
  weight: number;
}

/** The `n` most mentioned characters with a proper name. */
export function topNamed(characters: ICharacter[], n: number): ICharacter[] {
  return characters
    .filter(isNamed)
    .sort((x, y) => y.count - x.count || x.id - y.id)
    .slice(0, Math.max(0, n));
}

function toEdges(weights: Map<string, number>, minWeight: number): IEdge[] {
  const edges: IEdge[] = [];
  for (const [key, weight] of weights) {
    if (weight >= minWeight) {
      const [a, b] = key.split(':').map(Number);
      edges.push({ a, b, weight });
    }
  }
  return edges.sort((x, y) => y.weight - x.weight || x.a - y.a || x.b - y.b);
}

function bump(weights: Map<string, number>, x: number, y: number): void {
  const key = x < y ? `${x}:${y}` : `${y}:${x}`;
  weights.set(key, (weights.get(key) ?? 0) + 1);
}

/**
 * Conversation: a quote of one character followed, within `window` tokens,
 * by a quote of another counts one exchange between them.
 */
export function conversationEdges(
  quotes: IQuote[],
  ids: Set<number>,
  window = 200,
  minWeight = 1
): IEdge[] {
  const weights = new Map<string, number>();
  let prev: IQuote | null = null;
  for (const q of [...quotes].sort((x, y) => x.start - y.start)) {
    if (q.charId === null) {
      continue;
    }
    if (
      prev &&
      prev.charId !== q.charId &&
      q.start - prev.end <= window &&
      ids.has(prev.charId!) &&
      ids.has(q.charId)
    ) {
      bump(weights, prev.charId!, q.charId);
    }
    prev = q;
  }
  return toEdges(weights, minWeight);
}

/**
 * Co-occurrence: each pair of mentions of two characters at most `window`
 * tokens apart counts one.
 */
export function cooccurrenceEdges(
  entities: IEntities,
  ids: Set<number>,
  window = 50,
  minWeight = 2
): IEdge[] {
  const order: number[] = [];
  for (let i = 0; i < entities.length; i++) {
    if (ids.has(entities.coref[i])) {
      order.push(i);
    }
  }
  order.sort((x, y) => entities.start[x] - entities.start[y]);
  const weights = new Map<string, number>();
  let head = 0;
  for (let k = 0; k < order.length; k++) {
    const pos = entities.start[order[k]];
    const who = entities.coref[order[k]];
    while (pos - entities.start[order[head]] > window) {
      head++;
    }
    for (let j = head; j < k; j++) {
      const other = entities.coref[order[j]];
      if (other !== who) {
        bump(weights, who, other);
      }
    }
  }
  return toEdges(weights, minWeight);
}

export interface IPoint {
  x: number;
  y: number;
}

/**
 * Fruchterman–Reingold in a `width` × `height` box: nodes start on a circle
 * (deterministic), edges pull with their weight, every pair pushes, a weak
 * pull to the centre keeps lone nodes in. Positions fill the box less
 * `margin`, then nodes closer than `minDistance` are pushed apart.
 */
export function forceLayout(
  ids: number[],
  edges: IEdge[],
  width: number,
  height: number,
  { iterations = 300, margin = 40, minDistance = 0 } = {}
): Map<number, IPoint> {
  const n = ids.length;
  const index = new Map(ids.map((id, i) => [id, i]));
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / Math.max(1, n);
    x[i] = Math.cos(t) * 0.5 + 0.01 * Math.sin(7 * i);
    y[i] = Math.sin(t) * 0.5 + 0.01 * Math.cos(5 * i);
  }
  const top = Math.max(1, ...edges.map(e => e.weight));
  const links = edges
    .filter(e => index.has(e.a) && index.has(e.b))
    .map(e => [index.get(e.a)!, index.get(e.b)!, 0.3 + e.weight / top]);
  const k = Math.sqrt(1 / Math.max(1, n));
  let temperature = 0.1;
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    dx.fill(0);
    dy.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const ex = x[i] - x[j];
        const ey = y[i] - y[j];
        const d2 = Math.max(1e-6, ex * ex + ey * ey);
        const f = (k * k) / d2;
        dx[i] += ex * f;
        dy[i] += ey * f;
        dx[j] -= ex * f;
        dy[j] -= ey * f;
      }
      dx[i] -= x[i] * 0.05; // gravity
      dy[i] -= y[i] * 0.05;
    }
    for (const [i, j, w] of links) {
      const ex = x[i] - x[j];
      const ey = y[i] - y[j];
      const d = Math.sqrt(ex * ex + ey * ey);
      const f = (d * w) / k;
      dx[i] -= ex * f;
      dy[i] -= ey * f;
      dx[j] += ex * f;
      dy[j] += ey * f;
    }
    for (let i = 0; i < n; i++) {
      const d = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
      if (d > 0) {
        const step = Math.min(d, temperature);
        x[i] += (dx[i] / d) * step;
        y[i] += (dy[i] / d) * step;
      }
    }
    temperature = Math.max(0.002, temperature * 0.985);
  }
  const fitted = fitBox(ids, x, y, width, height, margin);
  separate([...fitted.values()], minDistance, width, height, margin);
  return fitted;
}

/** Push apart points closer than `min`, keeping them in the box. */
function separate(
  points: IPoint[],
  min: number,
  width: number,
  height: number,
  margin: number
): void {
  for (let pass = 0; pass < 50 && min > 0; pass++) {
    let moved = false;
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const a = points[i];
        const b = points[j];
        let ex = b.x - a.x;
        let ey = b.y - a.y;
        let d = Math.hypot(ex, ey);
        if (d >= min) {
          continue;
        }
        if (d < 1e-6) {
          [ex, ey, d] = [1, 0, 1];
        }
        const push = (min - d) / 2 + 0.5;
        a.x -= (ex / d) * push;
        a.y -= (ey / d) * push;
        b.x += (ex / d) * push;
        b.y += (ey / d) * push;
        moved = true;
      }
    }
    for (const p of points) {
      p.x = Math.min(width - margin, Math.max(margin, p.x));
      p.y = Math.min(height - margin, Math.max(margin, p.y));
    }
    if (!moved) {
      break;
    }
  }
}

function fitBox(
  ids: number[],
  x: Float64Array,
  y: Float64Array,
  width: number,
  height: number,
  margin: number
): Map<number, IPoint> {
  const [x0, x1] = [Math.min(...x), Math.max(...x)];
  const [y0, y1] = [Math.min(...y), Math.max(...y)];
  const sx = (width - 2 * margin) / Math.max(1e-9, x1 - x0);
  const sy = (height - 2 * margin) / Math.max(1e-9, y1 - y0);
  const out = new Map<number, IPoint>();
  ids.forEach((id, i) => {
    out.set(id, {
      x: ids.length > 1 ? margin + (x[i] - x0) * sx : width / 2,
      y: ids.length > 1 ? margin + (y[i] - y0) * sy : height / 2
    });
  });
  return out;
}

/** A label's box: centred on `x`, its baseline at `y`. */
export interface ILabel {
  id: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: ILabel, b: ILabel): boolean {
  return (
    Math.abs(a.x - b.x) * 2 < a.width + b.width &&
    Math.abs(a.y - b.y) < (a.height + b.height) / 2
  );
}

/** Labels moved down (or up) until no two overlap, a few passes at most. */
export function placeLabels(labels: ILabel[], passes = 30): ILabel[] {
  const out = labels.map(l => ({ ...l }));
  for (let pass = 0; pass < passes; pass++) {
    let moved = false;
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        if (overlaps(out[i], out[j])) {
          const lower = out[i].y >= out[j].y ? out[i] : out[j];
          const upper = lower === out[i] ? out[j] : out[i];
          const need = (lower.height + upper.height) / 2 - (lower.y - upper.y);
          lower.y += need / 2 + 1;
          upper.y -= need / 2 + 1;
          moved = true;
        }
      }
    }
    if (!moved) {
      break;
    }
  }
  return out;
}
