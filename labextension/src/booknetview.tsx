/**
 * The book view's Network section: the top named characters, linked by
 * conversation (one's quote answered by another's) or co-occurrence (mentions
 * near each other), drawn in SVG with a small force layout.
 */
import * as React from 'react';

import { ISectionProps, Waiting } from './bookcharacters';
import { characterName, toCsv } from './bookdata';
import { useTables } from './bookhooks';
import { saveBlob } from './bookloader';
import {
  IEdge,
  conversationEdges,
  cooccurrenceEdges,
  forceLayout,
  placeLabels,
  topNamed
} from './booknetwork';

type Mode = 'conversation' | 'cooccurrence';

const WIDTH = 760;
const HEIGHT = 520;

const MODES: Record<Mode, { label: string; unit: string }> = {
  conversation: { label: 'Conversation', unit: 'exchanges' },
  cooccurrence: { label: 'Co-occurrence', unit: 'mentions within 50 tokens' }
};

export function NetworkSection(props: ISectionProps): JSX.Element {
  const { data, active, slot } = props;
  const [mode, setMode] = React.useState<Mode>('conversation');
  const [top, setTop] = React.useState(12);
  const { tables, error, retry } = useTables(
    data,
    mode === 'conversation'
      ? ['characters', 'quotes']
      : ['characters', 'entities'],
    active
  );
  const { characters, quotes, entities } = tables;
  const nodes = React.useMemo(
    () => topNamed(characters ?? [], top),
    [characters, top]
  );
  const edges: IEdge[] | null = React.useMemo(() => {
    const ids = new Set(nodes.map(c => c.id));
    if (mode === 'conversation') {
      return quotes ? conversationEdges(quotes, ids) : null;
    }
    return entities ? cooccurrenceEdges(entities, ids) : null;
  }, [nodes, mode, quotes, entities]);
  const layout = React.useMemo(
    () =>
      edges
        ? forceLayout(
            nodes.map(c => c.id),
            edges,
            WIDTH,
            HEIGHT,
            { margin: 60, minDistance: 64 }
          )
        : null,
    [nodes, edges]
  );
  const names = new Map(nodes.map(c => [c.id, characterName(c)]));
  const controls = (
    <div className="jp-BookNLP-book-toolbar">
      <label>
        Links{' '}
        <select
          className="jp-BookNLP-select"
          value={mode}
          data-testid="booknlp-network-mode"
          onChange={e => setMode(e.currentTarget.value as Mode)}
        >
          {Object.entries(MODES).map(([key, m]) => (
            <option key={key} value={key}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Top{' '}
        <input
          type="number"
          className="jp-BookNLP-goto"
          min={2}
          max={40}
          value={top}
          data-testid="booknlp-network-top"
          onChange={e => {
            const n = Number(e.currentTarget.value);
            if (n >= 2 && n <= 40) {
              setTop(n);
            }
          }}
        />{' '}
        named characters
      </label>
      {edges && (
        <button
          className="jp-Button jp-mod-styled jp-BookNLP-book-button"
          data-action="download-network"
          title="The links, as a CSV file"
          onClick={() =>
            saveBlob(
              new Blob(
                [
                  toCsv(
                    ['source', 'target', 'weight'],
                    edges.map(e => [names.get(e.a)!, names.get(e.b)!, e.weight])
                  )
                ],
                { type: 'text/csv' }
              ),
              `${props.name}-${mode}.csv`
            )
          }
        >
          Download links (CSV)
        </button>
      )}
    </div>
  );
  if (!characters || !edges || !layout) {
    return (
      <div className="jp-BookNLP-section-body">
        {controls}
        <Waiting error={error} retry={retry} what="the network" />
      </div>
    );
  }
  const maxWeight = Math.max(1, ...edges.map(e => e.weight));
  const maxCount = Math.max(1, ...nodes.map(c => c.count));
  const radius = (count: number) => 6 + 16 * Math.sqrt(count / maxCount);
  const degree = new Map<number, number>();
  edges.forEach(e => {
    degree.set(e.a, (degree.get(e.a) ?? 0) + e.weight);
    degree.set(e.b, (degree.get(e.b) ?? 0) + e.weight);
  });
  const labels = placeLabels(
    nodes.map(c => {
      const p = layout.get(c.id)!;
      return {
        id: c.id,
        x: p.x,
        y: p.y + radius(c.count) + 12,
        width: names.get(c.id)!.length * 6.6 + 6,
        height: 14
      };
    })
  );
  const unit = MODES[mode].unit;
  return (
    <div className="jp-BookNLP-section-body jp-BookNLP-network-section">
      {controls}
      <div className="jp-BookNLP-network">
        <svg
          className="jp-BookNLP-network-svg"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-label={`${MODES[mode].label} network of the top ${nodes.length} named characters`}
          data-testid="booknlp-network"
        >
          <g className="jp-BookNLP-edges">
            {edges.map(e => {
              const a = layout.get(e.a)!;
              const b = layout.get(e.b)!;
              return (
                <line
                  key={`${e.a}:${e.b}`}
                  x1={a.x}
                  y1={a.y}
                  x2={b.x}
                  y2={b.y}
                  strokeWidth={1 + 9 * (e.weight / maxWeight)}
                  data-weight={e.weight}
                >
                  <title>{`${names.get(e.a)} – ${names.get(e.b)}: ${e.weight} ${unit}`}</title>
                </line>
              );
            })}
          </g>
          <g className="jp-BookNLP-nodes">
            {nodes.map(c => {
              const p = layout.get(c.id)!;
              const s = slot(c.id);
              return (
                <circle
                  key={c.id}
                  cx={p.x}
                  cy={p.y}
                  r={radius(c.count)}
                  className={`jp-BookNLP-node ${s < 0 ? 'jp-BookNLP-cx' : `jp-BookNLP-c${s}`}${degree.has(c.id) ? '' : ' jp-BookNLP-node-alone'}`}
                  data-char-id={c.id}
                >
                  <title>{`${names.get(c.id)}: ${c.count} mentions, ${degree.get(c.id) ?? 0} ${unit}`}</title>
                </circle>
              );
            })}
          </g>
          <g className="jp-BookNLP-labels">
            {labels.map(l => (
              <text key={l.id} x={l.x} y={l.y} textAnchor="middle">
                {names.get(l.id)}
              </text>
            ))}
          </g>
        </svg>
        <div className="jp-BookNLP-ties">
          <h3>Strongest ties</h3>
          {edges.length === 0 ? (
            <p>No links between these characters.</p>
          ) : (
            <ol data-testid="booknlp-ties">
              {edges.slice(0, 12).map(e => (
                <li key={`${e.a}:${e.b}`}>
                  {names.get(e.a)} – {names.get(e.b)}{' '}
                  <span className="jp-BookNLP-tie-weight">{e.weight}</span>
                </li>
              ))}
            </ol>
          )}
          <p className="jp-BookNLP-book-note">
            Line width: {unit}. Node size: mentions.
          </p>
        </div>
      </div>
    </div>
  );
}
