import {
  UseSignal,
  caretDownIcon,
  caretRightIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  ICorpusBook,
  ICorpusView,
  corpusName,
  describeCorpus,
  isCorpusActive
} from './corpus';
import { CorporaModel } from './corpusmodel';
import { JobError } from './jobitem';

/** What a corpus row's buttons do (the plugin wires them to commands). */
export interface ICorpusActions {
  cancel(corpus: ICorpusView): void;
}

function Progress(props: { value: number; label: string }): JSX.Element {
  const value = Math.max(0, Math.min(100, props.value));
  return (
    <div
      className="jp-BookNLP-progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.floor(value)}
      aria-label={props.label}
    >
      <div className="jp-BookNLP-progress-bar" style={{ width: `${value}%` }} />
    </div>
  );
}

/** A book's progress in words: none once failed or cancelled (its badge says). */
function bookProgress(book: ICorpusBook): string {
  if (book.skipped) {
    return 'already made';
  }
  if (book.status === 'failed' || book.status === 'cancelled') {
    return '';
  }
  return `${Math.floor(book.progress)}%`;
}

/** One book of an expanded corpus: id, status, progress, its error. */
function CorpusBookItem(props: { book: ICorpusBook }): JSX.Element {
  const { book } = props;
  return (
    <li
      className="jp-BookNLP-corpus-book"
      data-book-id={book.book_id}
      data-status={book.status}
      data-job-id={book.job_id || undefined}
    >
      <div className="jp-BookNLP-corpus-book-head">
        <span className="jp-BookNLP-corpus-book-id" title={book.path}>
          {book.book_id}
        </span>
        <span className="jp-BookNLP-corpus-book-progress">
          {bookProgress(book)}
        </span>
        <span className={`jp-BookNLP-badge jp-BookNLP-badge-${book.status}`}>
          {book.status}
        </span>
      </div>
      {book.error_message && <JobError error={book.error_message} />}
    </li>
  );
}

/** The books of an expanded corpus, as last fetched. */
function CorpusBooks(props: { detail: ICorpusView | undefined }): JSX.Element {
  const { detail } = props;
  if (!detail) {
    return <p className="jp-BookNLP-corpus-loading">Loading the books…</p>;
  }
  if (!detail.books.length) {
    return <p className="jp-BookNLP-corpus-loading">No books.</p>;
  }
  return (
    <ul className="jp-BookNLP-corpus-books">
      {detail.books.map(book => (
        <CorpusBookItem key={book.book_id} book={book} />
      ))}
    </ul>
  );
}

/**
 * One corpus: its folder, overall progress, counts and time left, a cancel
 * button while it runs; expanded, its books.
 */
export function CorpusItem(props: {
  corpus: ICorpusView;
  model: CorporaModel;
  actions: ICorpusActions;
}): JSX.Element {
  const { corpus, model, actions } = props;
  const name = corpusName(corpus);
  const expanded = model.isExpanded(corpus.corpus_id);
  const caret = expanded ? caretDownIcon : caretRightIcon;
  return (
    <li
      className="jp-BookNLP-corpus"
      data-corpus-id={corpus.corpus_id}
      data-status={corpus.status}
    >
      <div className="jp-BookNLP-job-head">
        <button
          className="jp-BookNLP-iconbutton"
          data-action="expand"
          aria-expanded={expanded}
          title={expanded ? 'Hide the books' : 'Show the books'}
          aria-label={`${expanded ? 'Hide' : 'Show'} the books of ${name}`}
          onClick={() => void model.setExpanded(corpus.corpus_id, !expanded)}
        >
          <caret.react tag="span" />
        </button>
        <span
          className="jp-BookNLP-job-title jp-BookNLP-corpus-title"
          title={corpus.folder ?? corpus.output_dir}
        >
          {name}
        </span>
        <span className={`jp-BookNLP-badge jp-BookNLP-badge-${corpus.status}`}>
          {corpus.status}
        </span>
      </div>
      <Progress value={corpus.progress} label={`${name} progress`} />
      <div
        className="jp-BookNLP-job-meta jp-BookNLP-corpus-counts"
        data-testid="booknlp-corpus-counts"
      >
        {describeCorpus(corpus)}
      </div>
      <div
        className="jp-BookNLP-job-meta jp-BookNLP-corpus-output"
        title={corpus.output_path}
      >
        {`→ ${corpus.output_dir} · ${corpus.model}`}
      </div>
      {expanded && <CorpusBooks detail={model.detail(corpus.corpus_id)} />}
      {isCorpusActive(corpus) && (
        <div className="jp-BookNLP-job-actions">
          <button
            className="jp-Button jp-mod-styled jp-mod-warn jp-BookNLP-action"
            data-action="cancel-corpus"
            title="The books not started will not run"
            onClick={() => actions.cancel(corpus)}
          >
            Cancel
          </button>
        </div>
      )}
    </li>
  );
}

/** The panel's corpus section: one row per corpus, nothing when there are none. */
export function CorpusList(props: {
  model: CorporaModel;
  actions: ICorpusActions;
}): JSX.Element {
  const { model, actions } = props;
  return (
    <UseSignal signal={model.changed}>
      {() =>
        model.corpora.length === 0 ? null : (
          <section className="jp-BookNLP-corpora" aria-label="Corpora">
            <h3 className="jp-BookNLP-subtitle">Corpora</h3>
            <ul className="jp-BookNLP-corpus-list">
              {model.corpora.map(corpus => (
                <CorpusItem
                  key={corpus.corpus_id}
                  corpus={corpus}
                  model={model}
                  actions={actions}
                />
              ))}
            </ul>
          </section>
        )
      }
    </UseSignal>
  );
}
