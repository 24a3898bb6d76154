/**
 * Pure helpers for corpora (no JupyterLab imports), unit-tested in
 * test/corpus.test.ts.
 */

import { ICorpusView } from './types';
import { formatDuration } from './util';

export type {
  BookStatus,
  CorpusStatus,
  ICorpusBook,
  ICorpusCounts,
  ICorpusList,
  ICorpusRequest,
  ICorpusView
} from './types';

/** Pending or running: its books may still change. */
export function isCorpusActive(corpus: Pick<ICorpusView, 'status'>): boolean {
  return corpus.status === 'pending' || corpus.status === 'running';
}

/**
 * Whether its books still change: active, or cancelled with a book still
 * running (a cancel lets the running book finish).
 */
export function isCorpusMoving(
  corpus: Pick<ICorpusView, 'status' | 'counts'>
): boolean {
  return isCorpusActive(corpus) || corpus.counts.running > 0;
}

/** A folder path's last part: `novels/` and `a/novels` are `novels`. */
export function folderName(path: string): string {
  const parts = path.split(/[\\/]/).filter(p => p && p !== '.');
  return parts.length ? parts[parts.length - 1] : path;
}

/** The server's default output folder for a folder (`booknlp_output/<name>`). */
export function defaultOutputDir(folder: string): string {
  return `booknlp_output/${folderName(folder)}`;
}

/** What to call a corpus: its folder, else its output folder's name. */
export function corpusName(
  corpus: Pick<ICorpusView, 'folder' | 'output_dir' | 'corpus_id'>
): string {
  if (corpus.folder) {
    return folderName(corpus.folder);
  }
  return corpus.output_dir ? folderName(corpus.output_dir) : corpus.corpus_id;
}

/** `eta 45 s`, `eta 4 min`, `eta 2 h 05 min`. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `eta ${s} s`;
  }
  const m = Math.round(s / 60);
  if (m < 60) {
    return `eta ${m} min`;
  }
  return `eta ${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * The line under a corpus's bar: `3/50 done · 1 failed · eta 4 min` while it
 * runs (done: analyzed), the time it took once completed.
 */
export function describeCorpus(
  corpus: Pick<
    ICorpusView,
    | 'status'
    | 'books_total'
    | 'counts'
    | 'eta_seconds'
    | 'submitted_at'
    | 'completed_at'
  >
): string {
  const { counts } = corpus;
  const parts = [`${counts.completed}/${corpus.books_total} done`];
  if (counts.running) {
    parts.push(`${counts.running} running`);
  }
  if (counts.failed) {
    parts.push(`${counts.failed} failed`);
  }
  if (counts.cancelled) {
    parts.push(`${counts.cancelled} cancelled`);
  }
  if (isCorpusActive(corpus)) {
    if (corpus.eta_seconds !== null && corpus.eta_seconds !== undefined) {
      parts.push(formatEta(corpus.eta_seconds));
    }
  } else if (corpus.status === 'completed') {
    const start = Date.parse(corpus.submitted_at);
    const end = corpus.completed_at ? Date.parse(corpus.completed_at) : NaN;
    if (!Number.isNaN(start) && !Number.isNaN(end)) {
      parts.push(`took ${formatDuration(end - start)}`);
    }
  }
  return parts.join(' · ');
}

/** Poll every `active` ms while a corpus's books move, every `idle` ms otherwise. */
export function corpusPollInterval(
  corpora: Pick<ICorpusView, 'status' | 'counts'>[],
  active = 1000,
  idle = 5000
): number {
  return corpora.some(isCorpusMoving) ? active : idle;
}

/**
 * Whether an expanded corpus's books must be fetched again: never fetched, still
 * moving, or the list shows a change the stored view has not seen.
 */
export function needsDetail(
  listed: Pick<ICorpusView, 'status' | 'progress' | 'counts'>,
  stored: Pick<ICorpusView, 'status' | 'progress' | 'counts'> | undefined
): boolean {
  return (
    !stored ||
    isCorpusMoving(stored) ||
    stored.status !== listed.status ||
    stored.progress !== listed.progress
  );
}
