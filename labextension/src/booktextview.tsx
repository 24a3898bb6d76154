/**
 * The book view's Text section: the whole book, its characters and speakers
 * marked, virtualized: paragraphs are grouped into blocks of ~1,500 tokens
 * and only the blocks near the screen hold any DOM; the others are empty boxes
 * of their measured (or estimated) height, so the scroll bar spans the book.
 */
import * as React from 'react';

import { ISectionProps, Swatch, Waiting } from './bookcharacters';
import { ITokens } from './bookcsv';
import { characterName, colourSlots } from './bookdata';
import { useTables } from './bookhooks';
import {
  ILook,
  IMarks,
  blocks,
  buildMarks,
  lowerBound,
  paragraphStarts,
  renderParagraphs
} from './booktext';

/** Pixels a token takes before any block is measured. */
const PX_PER_TOKEN = 2.2;

/** Fills the blocks near the viewport of `scroller`, empties the others. */
export class TextViewer {
  constructor(
    readonly scroller: HTMLElement,
    readonly host: HTMLElement,
    readonly tokens: ITokens,
    readonly starts: Int32Array,
    readonly marks: IMarks,
    readonly look: ILook
  ) {
    this.blockStarts = blocks(starts, tokens.length);
    const frag = document.createDocumentFragment();
    for (let b = 0; b < this.blockStarts.length; b++) {
      const el = document.createElement('div');
      el.className = 'jp-BookNLP-block';
      el.dataset.block = String(b);
      el.style.height = `${Math.round(this._tokensIn(b) * PX_PER_TOKEN)}px`;
      this.elements.push(el);
      frag.appendChild(el);
    }
    host.replaceChildren(frag);
    this._observer = new IntersectionObserver(
      entries => {
        for (const entry of entries) {
          const b = Number((entry.target as HTMLElement).dataset.block);
          if (entry.isIntersecting) {
            this._fill(b);
          } else {
            this._empty(b);
          }
        }
      },
      { root: scroller, rootMargin: '800px 0px' }
    );
    this.elements.forEach(el => this._observer.observe(el));
  }

  /** The block elements holding text now. */
  get filled(): number {
    return this._filled.size;
  }

  /** The paragraph at the top of the viewport. */
  topParagraph(): number {
    const top = this.scroller.getBoundingClientRect().top;
    for (const b of [...this._filled].sort((x, y) => x - y)) {
      for (const p of Array.from(this.elements[b].children)) {
        if (p.getBoundingClientRect().bottom > top) {
          return Number((p as HTMLElement).dataset.p ?? 0);
        }
      }
    }
    return 0;
  }

  /** Scroll so that paragraph `p` is at the top. */
  scrollToParagraph(p: number): void {
    const b = Math.max(0, lowerBound(this.blockStarts, p + 1) - 1);
    this.elements[b].scrollIntoView({ block: 'start' });
    this._fill(b);
    this.host
      .querySelector(`p[data-p="${p}"]`)
      ?.scrollIntoView({ block: 'start' });
  }

  dispose(): void {
    this._observer.disconnect();
  }

  private _tokensIn(b: number): number {
    const first = this.starts[this.blockStarts[b]];
    const next =
      b + 1 < this.blockStarts.length
        ? this.starts[this.blockStarts[b + 1]]
        : this.tokens.length;
    return next - first;
  }

  private _fill(b: number): void {
    if (this._filled.has(b)) {
      return;
    }
    const el = this.elements[b];
    const to =
      b + 1 < this.blockStarts.length
        ? this.blockStarts[b + 1]
        : this.starts.length;
    el.innerHTML = renderParagraphs(
      this.tokens,
      this.starts,
      this.marks,
      this.look,
      this.blockStarts[b],
      to
    );
    el.style.height = '';
    this._filled.add(b);
    if (!this._calibrated) {
      // the first measured block sets the estimate of the others (scrolled to the top: no jump)
      this._calibrated = true;
      const perToken = el.offsetHeight / Math.max(1, this._tokensIn(b));
      this.elements.forEach((other, k) => {
        if (k !== b && !this._filled.has(k)) {
          other.style.height = `${Math.round(this._tokensIn(k) * perToken)}px`;
        }
      });
    }
  }

  private _empty(b: number): void {
    if (!this._filled.has(b)) {
      return;
    }
    const el = this.elements[b];
    el.style.height = `${el.offsetHeight}px`;
    el.replaceChildren();
    this._filled.delete(b);
  }

  readonly blockStarts: Int32Array;
  readonly elements: HTMLElement[] = [];
  private _filled = new Set<number>();
  private _calibrated = false;
  private _observer: IntersectionObserver;
}

export function TextSection(props: ISectionProps): JSX.Element {
  const { data, active, slot } = props;
  const { tables, error, retry } = useTables(
    data,
    ['characters', 'quotes', 'entities', 'tokens'],
    active
  );
  const { characters, quotes, entities, tokens } = tables;
  const scroller = React.useRef<HTMLDivElement>(null);
  const host = React.useRef<HTMLDivElement>(null);
  const viewer = React.useRef<TextViewer | null>(null);
  const [where, setWhere] = React.useState({ paragraph: 0, paragraphs: 0 });
  const ready = !!(characters && quotes && entities && tokens);

  React.useEffect(() => {
    if (!ready || !scroller.current || !host.current) {
      return;
    }
    const names = new Map(characters!.map(c => [c.id, characterName(c)]));
    const look: ILook = {
      slot,
      name: id => names.get(id) ?? `#${id}`
    };
    const starts = paragraphStarts(tokens!);
    const marks = buildMarks(entities!, quotes!, new Set(names.keys()));
    const v = new TextViewer(
      scroller.current,
      host.current,
      tokens!,
      starts,
      marks,
      look
    );
    viewer.current = v;
    setWhere({ paragraph: 0, paragraphs: starts.length });
    return () => {
      v.dispose();
      viewer.current = null;
    };
  }, [ready]);

  const frame = React.useRef(0);
  const onScroll = React.useCallback(() => {
    if (frame.current) {
      return;
    }
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const v = viewer.current;
      if (v) {
        setWhere(w => ({ ...w, paragraph: v.topParagraph() }));
      }
    });
  }, []);

  const legend = React.useMemo(() => {
    const slots = colourSlots(characters ?? []);
    return (characters ?? []).filter(c => slots.has(c.id));
  }, [characters]);

  return (
    <div className="jp-BookNLP-section-body jp-BookNLP-text-section">
      {!ready && <Waiting error={error} retry={retry} what="the text" />}
      {ready && (
        <div className="jp-BookNLP-book-toolbar">
          <span className="jp-BookNLP-legend" data-testid="booknlp-legend">
            {legend.map(c => (
              <span key={c.id} className="jp-BookNLP-legend-item">
                <Swatch slot={slot(c.id)} />
                {characterName(c)}
              </span>
            ))}
          </span>
          <label className="jp-BookNLP-book-count">
            ¶{' '}
            <input
              type="number"
              className="jp-BookNLP-goto"
              data-testid="booknlp-goto"
              min={1}
              max={where.paragraphs}
              value={where.paragraph + 1}
              onChange={e => {
                const p = Number(e.currentTarget.value) - 1;
                if (p >= 0 && p < where.paragraphs) {
                  viewer.current?.scrollToParagraph(p);
                  setWhere(w => ({ ...w, paragraph: p }));
                }
              }}
            />{' '}
            of {where.paragraphs.toLocaleString()}
          </label>
        </div>
      )}
      <div
        className="jp-BookNLP-text-scroll"
        ref={scroller}
        onScroll={onScroll}
        data-testid="booknlp-text"
        style={{ display: ready ? undefined : 'none' }}
      >
        <div className="jp-BookNLP-text" ref={host} />
      </div>
    </div>
  );
}
