/** The book view's Characters section: a sortable table of the characters. */
import * as React from 'react';

import {
  ICharacterRow,
  SortKey,
  characterRows,
  charactersCsv,
  sortRows
} from './bookdata';
import { useTables } from './bookhooks';
import { BookData, saveBlob } from './bookloader';

/** What every section gets from the view. */
export interface ISectionProps {
  data: BookData;
  /** Whether the section is shown (it loads its tables when first shown). */
  active: boolean;
  /** The book's name, for file names. */
  name: string;
  tokenCount: number | null;
  /** Colour slot (0..7, -1: none) of a character id. */
  slot(id: number): number;
}

const COLUMNS: { key: SortKey; label: string; title: string }[] = [
  { key: 'name', label: 'Character', title: 'The name used most' },
  {
    key: 'mentions',
    label: 'Mentions',
    title: 'Every mention: names, nouns, pronouns'
  },
  {
    key: 'quotes',
    label: 'Quotes',
    title: 'Quotes attributed to the character'
  },
  {
    key: 'gender',
    label: 'Gender',
    title: 'Referential gender (pronouns used)'
  },
  {
    key: 'first',
    label: 'First appearance',
    title: 'Where the first mention is, through the book'
  }
];

/** Sorted descending by default, except names and first appearances. */
const ASCENDING_FIRST: SortKey[] = ['name', 'gender', 'first'];

const PAGE = 200;

export function Swatch(props: { slot: number }): JSX.Element {
  return (
    <span
      className={`jp-BookNLP-swatch ${props.slot < 0 ? 'jp-BookNLP-cx' : `jp-BookNLP-c${props.slot}`}`}
      aria-hidden="true"
    />
  );
}

/** A status line while tables load, or the error with a Retry button. */
export function Waiting(props: {
  error: string | null;
  retry(): void;
  what: string;
}): JSX.Element {
  if (props.error) {
    return (
      <div className="jp-BookNLP-book-error" role="alert">
        {props.error}{' '}
        <button className="jp-Button jp-mod-styled" onClick={props.retry}>
          Retry
        </button>
      </div>
    );
  }
  return <div className="jp-BookNLP-book-wait">Loading {props.what}…</div>;
}

function position(first: number | null, tokens: number | null): string {
  if (first === null) {
    return '…';
  }
  return tokens ? `${((100 * first) / tokens).toFixed(1)}%` : `token ${first}`;
}

export function CharactersSection(
  props: ISectionProps & { showQuotes(id: number): void }
): JSX.Element {
  const { data, active, tokenCount, slot } = props;
  const { tables, error, retry } = useTables(
    data,
    ['characters', 'quotes', 'entities'],
    active
  );
  const [sort, setSort] = React.useState<{ key: SortKey; desc: boolean }>({
    key: 'mentions',
    desc: true
  });
  const [namedOnly, setNamedOnly] = React.useState(true);
  const [limit, setLimit] = React.useState(PAGE);
  const { characters, quotes, entities } = tables;
  const all = React.useMemo(
    () => (characters ? characterRows(characters, quotes, entities) : []),
    [characters, quotes, entities]
  );
  const rows: ICharacterRow[] = React.useMemo(
    () =>
      sortRows(namedOnly ? all.filter(r => r.named) : all, sort.key, sort.desc),
    [all, namedOnly, sort]
  );
  if (!characters) {
    return <Waiting error={error} retry={retry} what="the characters" />;
  }
  const clickSort = (key: SortKey) =>
    setSort(s =>
      s.key === key
        ? { key, desc: !s.desc }
        : { key, desc: !ASCENDING_FIRST.includes(key) }
    );
  return (
    <div className="jp-BookNLP-section-body">
      <div className="jp-BookNLP-book-toolbar">
        <label>
          <input
            type="checkbox"
            checked={namedOnly}
            data-testid="booknlp-named-only"
            onChange={e => setNamedOnly(e.currentTarget.checked)}
          />{' '}
          Named characters only
        </label>
        <span className="jp-BookNLP-book-count">
          {rows.length} of {all.length} characters
        </span>
        <button
          className="jp-Button jp-mod-styled jp-BookNLP-book-button"
          data-action="download-characters"
          title="This table, as sorted, as a CSV file"
          onClick={() =>
            saveBlob(
              new Blob([charactersCsv(rows)], { type: 'text/csv' }),
              `${props.name}-characters.csv`
            )
          }
        >
          Download table (CSV)
        </button>
        {error && <Waiting error={error} retry={retry} what="" />}
      </div>
      <table className="jp-BookNLP-table" data-testid="booknlp-characters">
        <thead>
          <tr>
            {COLUMNS.map(c => (
              <th
                key={c.key}
                aria-sort={
                  sort.key === c.key
                    ? sort.desc
                      ? 'descending'
                      : 'ascending'
                    : 'none'
                }
                data-column={c.key}
              >
                <button
                  className="jp-BookNLP-sort"
                  title={`${c.title}: click to sort`}
                  onClick={() => clickSort(c.key)}
                >
                  {c.label}
                  <span className="jp-BookNLP-sort-mark">
                    {sort.key === c.key ? (sort.desc ? ' ▼' : ' ▲') : ''}
                  </span>
                </button>
              </th>
            ))}
            <th>Also called</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, limit).map(r => (
            <tr key={r.id} data-char-id={r.id}>
              <td className="jp-BookNLP-char-name">
                <Swatch slot={slot(r.id)} />
                <span data-testid="booknlp-character-name">{r.name}</span>
              </td>
              <td className="jp-BookNLP-num" data-column="mentions">
                {r.mentions.toLocaleString()}
              </td>
              <td className="jp-BookNLP-num" data-column="quotes">
                {r.quotes === null ? (
                  '…'
                ) : r.quotes > 0 ? (
                  <button
                    className="jp-BookNLP-linkbutton"
                    title={`Show ${r.name}'s quotes`}
                    data-action="show-quotes"
                    onClick={() => props.showQuotes(r.id)}
                  >
                    {r.quotes.toLocaleString()}
                  </button>
                ) : (
                  '0'
                )}
              </td>
              <td data-column="gender">{r.gender ?? '—'}</td>
              <td
                className="jp-BookNLP-num"
                data-column="first"
                title={r.first === null ? undefined : `token ${r.first}`}
              >
                {position(r.first, tokenCount)}
              </td>
              <td className="jp-BookNLP-aliases">{r.aliases.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > limit && (
        <button
          className="jp-Button jp-mod-styled jp-BookNLP-more"
          onClick={() => setLimit(l => l + PAGE * 5)}
        >
          Show more ({rows.length - limit} more)
        </button>
      )}
    </div>
  );
}
