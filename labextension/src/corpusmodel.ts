import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { APIError, BookNLPAPI } from './api';
import { ICorpusView, corpusPollInterval, needsDetail } from './corpus';

const MAX_BACKOFF_MS = 30000;

/**
 * The live corpus list, polled like the job list (every second while a corpus
 * runs, every five seconds when idle, backing off while the server does not
 * answer, resting while the page is hidden), with the books of the corpora
 * the user expanded. A server without the corpus API (404) is polled rarely
 * and shows no corpora.
 */
export class CorporaModel {
  constructor(readonly api: BookNLPAPI) {
    this._poll = new Poll({
      factory: () => this._fetch(),
      frequency: { interval: 5000, backoff: true, max: MAX_BACKOFF_MS },
      name: 'booknlp:corpora',
      standby: 'when-hidden'
    });
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The server's corpora, newest first (without their books). */
  get corpora(): ICorpusView[] {
    return this._corpora;
  }

  /** False once the server answered 404: it has no corpus API. */
  get supported(): boolean {
    return this._supported;
  }

  /** The last fetched view of a corpus with its books, if it was expanded. */
  detail(corpusId: string): ICorpusView | undefined {
    return this._details.get(corpusId);
  }

  isExpanded(corpusId: string): boolean {
    return this._expanded.has(corpusId);
  }

  /** Show or hide a corpus's books (fetched now, then with every poll). */
  async setExpanded(corpusId: string, expanded: boolean): Promise<void> {
    if (expanded === this._expanded.has(corpusId)) {
      return;
    }
    if (!expanded) {
      this._expanded.delete(corpusId);
      this._changed.emit();
      return;
    }
    this._expanded.add(corpusId);
    this._changed.emit();
    await this._fetchDetail(corpusId);
    this._changed.emit();
  }

  /** Put a view the server sent (a submit or cancel answer) in the list now. */
  update(view: ICorpusView): void {
    const index = this._corpora.findIndex(c => c.corpus_id === view.corpus_id);
    const listed = { ...view, books: [] };
    if (index < 0) {
      this._corpora = [listed, ...this._corpora];
    } else {
      this._corpora = this._corpora.map((c, i) => (i === index ? listed : c));
    }
    if (view.books.length) {
      this._details.set(view.corpus_id, view);
    }
    this._changed.emit();
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Poll now (after a submit or a cancel). */
  refresh(): Promise<void> {
    return this._poll.refresh();
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _fetch(): Promise<void> {
    try {
      const list = await this.api.listCorpora();
      this._supported = true;
      this._corpora = list.corpora;
    } catch (error) {
      if (error instanceof APIError && error.status === 404) {
        this._supported = false;
        this._corpora = [];
        this._setInterval(MAX_BACKOFF_MS);
        this._changed.emit();
        return;
      }
      throw error; // the poll backs off; the job list reports the outage
    }
    const ids = new Set(this._corpora.map(c => c.corpus_id));
    for (const id of [...this._expanded]) {
      if (!ids.has(id)) {
        this._expanded.delete(id);
        this._details.delete(id);
      }
    }
    await Promise.all(
      this._corpora
        .filter(c => this._expanded.has(c.corpus_id))
        .filter(c => needsDetail(c, this._details.get(c.corpus_id)))
        .map(c => this._fetchDetail(c.corpus_id))
    );
    this._setInterval(corpusPollInterval(this._corpora));
    this._changed.emit();
  }

  private async _fetchDetail(corpusId: string): Promise<void> {
    try {
      this._details.set(corpusId, await this.api.getCorpus(corpusId));
    } catch (error) {
      if (error instanceof APIError && error.status === 404) {
        this._expanded.delete(corpusId);
        this._details.delete(corpusId);
      }
      // other errors: keep the last view; the next poll tries again
    }
  }

  private _setInterval(interval: number): void {
    if (this._poll.frequency.interval !== interval) {
      this._poll.frequency = { interval, backoff: true, max: MAX_BACKOFF_MS };
    }
  }

  private _poll: Poll;
  private _corpora: ICorpusView[] = [];
  private _supported = true;
  private _expanded = new Set<string>();
  private _details = new Map<string, ICorpusView>();
  private _changed = new Signal<this, void>(this);
}
