/**
 * The book view's Quotes section: each quote as written, with its speaker;
 * filtered by a character.
 */
import * as React from 'react';

import { ISectionProps, Swatch, Waiting } from './bookcharacters';
import { IQuote } from './bookcsv';
import {
  characterName,
  detokenize,
  italicPieces,
  joinTokens,
  quoteCounts
} from './bookdata';
import { useTables } from './bookhooks';

const PAGE = 200;
export const ALL = 'all';
export const UNATTRIBUTED = 'none';

/** Text with `_italic_` shown in italics. */
export function Prose(props: { text: string }): JSX.Element {
  return (
    <>
      {italicPieces(props.text).map(([piece, italic], i) =>
        italic ? (
          <i key={i}>{piece}</i>
        ) : (
          <React.Fragment key={i}>{piece}</React.Fragment>
        )
      )}
    </>
  );
}

export function QuotesSection(
  props: ISectionProps & { speaker: string; setSpeaker(s: string): void }
): JSX.Element {
  const { data, active, tokenCount, slot, speaker, setSpeaker } = props;
  // the quotes are readable at once; the tokens then give the exact spacing
  const { tables, error, retry } = useTables(
    data,
    ['characters', 'quotes', 'tokens'],
    active
  );
  const [limit, setLimit] = React.useState(PAGE);
  React.useEffect(() => setLimit(PAGE), [speaker]);
  const { characters, quotes, tokens } = tables;
  const names = React.useMemo(
    () => new Map((characters ?? []).map(c => [c.id, characterName(c)])),
    [characters]
  );
  const speakers = React.useMemo(() => {
    const counts = quoteCounts(quotes ?? []);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }, [quotes]);
  const shown: IQuote[] = React.useMemo(() => {
    if (!quotes) {
      return [];
    }
    if (speaker === ALL) {
      return quotes;
    }
    if (speaker === UNATTRIBUTED) {
      return quotes.filter(q => q.charId === null);
    }
    const id = Number(speaker);
    return quotes.filter(q => q.charId === id);
  }, [quotes, speaker]);
  if (!characters || !quotes) {
    return <Waiting error={error} retry={retry} what="the quotes" />;
  }
  const unattributed = quotes.filter(q => q.charId === null).length;
  const nameOf = (id: number) => names.get(id) ?? `#${id}`;
  return (
    <div className="jp-BookNLP-section-body">
      <div className="jp-BookNLP-book-toolbar">
        <label>
          Speaker{' '}
          <select
            className="jp-BookNLP-select"
            value={speaker}
            data-testid="booknlp-quote-speaker"
            onChange={e => setSpeaker(e.currentTarget.value)}
          >
            <option value={ALL}>Everyone ({quotes.length})</option>
            {speakers.map(([id, n]) => (
              <option key={id} value={String(id)}>
                {nameOf(id)} ({n})
              </option>
            ))}
            {unattributed > 0 && (
              <option value={UNATTRIBUTED}>
                Unattributed ({unattributed})
              </option>
            )}
          </select>
        </label>
        <span
          className="jp-BookNLP-book-count"
          data-testid="booknlp-quote-count"
        >
          {shown.length.toLocaleString()} quote{shown.length === 1 ? '' : 's'}
        </span>
        {!tokens && !error && (
          <span className="jp-BookNLP-book-note">
            spacing approximate until the tokens are loaded
          </span>
        )}
        {error && <Waiting error={error} retry={retry} what="" />}
      </div>
      <ol
        className="jp-BookNLP-quotes"
        data-testid="booknlp-quotes"
        data-spacing={tokens ? 'offsets' : 'approximate'}
      >
        {shown.slice(0, limit).map(q => (
          <li
            key={q.start}
            className="jp-BookNLP-quote"
            data-speaker={q.charId ?? UNATTRIBUTED}
          >
            <div className="jp-BookNLP-quote-who">
              {q.charId === null ? (
                <span className="jp-BookNLP-quote-none">unattributed</span>
              ) : (
                <>
                  <Swatch slot={slot(q.charId)} />
                  <span data-testid="booknlp-quote-speaker-name">
                    {nameOf(q.charId)}
                  </span>
                </>
              )}
              <span className="jp-BookNLP-quote-where">
                {q.mentionPhrase ? `via “${q.mentionPhrase}” · ` : ''}
                {tokenCount
                  ? `${((100 * q.start) / tokenCount).toFixed(1)}%`
                  : `token ${q.start}`}
              </span>
            </div>
            <blockquote className="jp-BookNLP-quote-text">
              <Prose
                text={
                  tokens
                    ? joinTokens(tokens, q.start, q.end)
                    : detokenize(q.quote)
                }
              />
            </blockquote>
          </li>
        ))}
      </ol>
      {shown.length > limit && (
        <button
          className="jp-Button jp-mod-styled jp-BookNLP-more"
          onClick={() => setLimit(l => l + PAGE * 5)}
        >
          Show more ({(shown.length - limit).toLocaleString()} more)
        </button>
      )}
    </div>
  );
}
