/**
 * The book view: a finished job's characters, quotes, text and network in a
 * main-area tab, no code. Each section loads the tables it needs when it is
 * first shown, one table at a time; a section once shown stays mounted (its
 * scroll position and filters survive switching tabs).
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { BookNLPAPI } from './api';
import { CharactersSection, ISectionProps } from './bookcharacters';
import { colourSlots } from './bookdata';
import { useBookData } from './bookhooks';
import { API_TABLES, BookData } from './bookloader';
import { NetworkSection } from './booknetview';
import { ALL, QuotesSection } from './bookquotes';
import { TextSection } from './booktextview';
import { message } from './commandids';
import { IJob } from './types';

export type Section = 'characters' | 'quotes' | 'text' | 'network';

const SECTIONS: { id: Section; label: string }[] = [
  { id: 'characters', label: 'Characters' },
  { id: 'quotes', label: 'Quotes' },
  { id: 'text', label: 'Text' },
  { id: 'network', label: 'Network' }
];

/** What is loading, in words ("Loading tokens… 430,000 of 1,000,000 rows"). */
function LoadingLine(props: { data: BookData }): JSX.Element | null {
  useBookData(props.data);
  const loading = props.data.loading;
  if (!loading) {
    return null;
  }
  const of = loading.total ? ` of ${loading.total.toLocaleString()}` : '';
  return (
    <span
      className="jp-BookNLP-book-loading"
      data-testid="booknlp-book-loading"
    >
      Loading {loading.table}… {loading.rows.toLocaleString()}
      {of} rows
    </span>
  );
}

/** Save one of the API's tables as CSV (`?format=csv`). */
function Downloads(props: { data: BookData; name: string }): JSX.Element {
  const [table, setTable] = React.useState<string>('quotes');
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const run = async (save: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await save();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const download = () =>
    run(() => props.data.downloadTable(table, `${props.name}-${table}.csv`));
  return (
    <span className="jp-BookNLP-book-downloads">
      <span className="jp-BookNLP-book-note">Table</span>
      <select
        className="jp-BookNLP-select"
        value={table}
        aria-label="Table to download"
        data-testid="booknlp-download-table"
        onChange={e => setTable(e.currentTarget.value)}
      >
        {API_TABLES.map(t => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <button
        className="jp-Button jp-mod-styled jp-BookNLP-book-button"
        data-action="download-table"
        disabled={busy}
        title="The whole table as the API serves it (?format=csv)"
        onClick={() => void download()}
      >
        {busy ? 'Downloading…' : 'Download CSV'}
      </button>
      <button
        className="jp-Button jp-mod-styled jp-BookNLP-book-button"
        data-action="download-booknlp"
        disabled={busy}
        title="BookNLP's own files (.tokens, .entities, .quotes, .supersense, .book, .book.html), zipped"
        onClick={() =>
          void run(() =>
            props.data.downloadBookNLPFiles(`${props.name}.booknlp.zip`)
          )
        }
      >
        BookNLP files
      </button>
      {error && (
        <span className="jp-BookNLP-book-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

function BookApp(props: {
  data: BookData;
  job: IJob;
  initial: Section;
}): JSX.Element {
  const { data, job } = props;
  const [section, setSection] = React.useState<Section>(props.initial);
  const [visited, setVisited] = React.useState<Set<Section>>(
    () => new Set([props.initial])
  );
  const [speaker, setSpeaker] = React.useState(ALL);
  useBookData(data);
  const characters = data.peek('characters');
  const slots = React.useMemo(
    () => colourSlots(characters ?? []),
    [characters]
  );
  const show = (s: Section) => {
    setSection(s);
    setVisited(v => (v.has(s) ? v : new Set([...v, s])));
  };
  const name = job.book_id || job.job_id;
  const common = (s: Section): ISectionProps => ({
    data,
    active: section === s,
    name,
    tokenCount: job.token_count ?? null,
    slot: id => slots.get(id) ?? -1
  });
  const panes: Record<Section, () => JSX.Element> = {
    characters: () => (
      <CharactersSection
        {...common('characters')}
        showQuotes={id => {
          setSpeaker(String(id));
          show('quotes');
        }}
      />
    ),
    quotes: () => (
      <QuotesSection
        {...common('quotes')}
        speaker={speaker}
        setSpeaker={setSpeaker}
      />
    ),
    text: () => <TextSection {...common('text')} />,
    network: () => <NetworkSection {...common('network')} />
  };
  const facts = [
    job.model,
    job.token_count ? `${job.token_count.toLocaleString()} tokens` : null,
    `job ${job.job_id}`
  ].filter(Boolean);
  return (
    <div className="jp-BookNLP-book" data-job-id={job.job_id}>
      <header className="jp-BookNLP-book-head">
        <h2 className="jp-BookNLP-book-title">{name}</h2>
        <span className="jp-BookNLP-book-facts">{facts.join(' · ')}</span>
        {job.model === 'lite' && (
          <span
            className="jp-BookNLP-book-note jp-BookNLP-book-firstlook"
            data-testid="booknlp-first-look"
            title="The lite engine is spaCy plus rules and small linear models; BookNLP's own models (small, big) are far better at entities and speakers"
          >
            lite: a first look (spaCy, rules and small models trained on LitBank); for publication-grade results
            run BookNLP&apos;s models (small or big)
          </span>
        )}
        <LoadingLine data={data} />
        <span className="jp-BookNLP-book-spacer" />
        <Downloads data={data} name={name} />
      </header>
      <div className="jp-BookNLP-book-tabs" role="tablist">
        {SECTIONS.map(s => (
          <button
            key={s.id}
            role="tab"
            className="jp-BookNLP-book-tab"
            aria-selected={section === s.id}
            data-section={s.id}
            onClick={() => show(s.id)}
          >
            {s.label}
          </button>
        ))}
      </div>
      {SECTIONS.filter(s => visited.has(s.id)).map(s => (
        <section
          key={s.id}
          role="tabpanel"
          className="jp-BookNLP-book-section"
          data-section={s.id}
          hidden={section !== s.id}
        >
          {panes[s.id]()}
        </section>
      ))}
    </div>
  );
}

/** The content of a book view tab (in a MainAreaWidget). */
export class BookView extends ReactWidget {
  constructor(
    api: BookNLPAPI,
    readonly job: IJob,
    readonly initial: Section = 'characters'
  ) {
    super();
    this.data = new BookData(api, job.job_id);
    this.addClass('jp-BookNLP-bookview');
  }

  get jobId(): string {
    return this.job.job_id;
  }

  protected render(): JSX.Element {
    return <BookApp data={this.data} job={this.job} initial={this.initial} />;
  }

  readonly data: BookData;
}
