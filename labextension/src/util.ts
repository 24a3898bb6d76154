/**
 * Pure helpers (no JupyterLab imports), unit-tested in test/util.test.ts.
 */

import { IJob, IStats } from './types';

export type { IJob, IReady, IStats, JobStatus } from './types';

/** The pipeline components a request may name (BookNLP's names). */
export const PIPELINE_COMPONENTS = [
  'entity',
  'quote',
  'supersense',
  'event',
  'coref'
] as const;

/** File extensions offered "Analyze with BookNLP" in the file browser. */
export const TEXT_EXTENSIONS = ['.txt', '.text', '.md'];

export function isActive(job: Pick<IJob, 'status'>): boolean {
  return job.status === 'pending' || job.status === 'running';
}

/** Completed, failed, cancelled or expired: the job will not change again. */
export function isFinished(job: Pick<IJob, 'status'>): boolean {
  return !isActive(job);
}

/**
 * Whether the job completes (or completed) at once from an identical
 * request's stored result, without running the engine.
 */
export function isReused(job: Pick<IJob, 'status' | 'reused_from'>): boolean {
  return !!job.reused_from && (isActive(job) || job.status === 'completed');
}

export function isTextFile(path: string): boolean {
  const lower = path.toLowerCase();
  return TEXT_EXTENSIONS.some(ext => lower.endsWith(ext));
}

/**
 * A book id from a file path: the file's name without its extension, with what
 * the API refuses (slashes, control characters) removed, at most 128 characters.
 */
export function bookIdFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  // eslint-disable-next-line no-control-regex
  return stem.replace(/[\u0000-\u001f\u007f/\\]/g, '').slice(0, 128);
}

/** `4s`, `1m 05s`, `2h 03m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) {
    return `${s}s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  }
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

function parseTime(value: string | null | undefined): number | null {
  if (!value) {
    return null;
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/**
 * How long the job has run (running), ran (finished), or has waited (pending),
 * in milliseconds; null when the job never started and is over.
 */
export function elapsedMs(job: IJob, now: number): number | null {
  const submitted = parseTime(job.submitted_at);
  const started = parseTime(job.started_at);
  const completed = parseTime(job.completed_at);
  switch (job.status) {
    case 'pending':
      return submitted === null ? null : now - submitted;
    case 'running':
      return started === null ? null : now - started;
    default:
      if (
        job.processing_time_ms !== null &&
        job.processing_time_ms !== undefined
      ) {
        return job.processing_time_ms;
      }
      if (started !== null && completed !== null) {
        return completed - started;
      }
      return null;
  }
}

/** The line under a job's progress bar: percent, stage, queue position, time. */
export function describeJob(job: IJob, now: number): string {
  if (isReused(job)) {
    return `already analyzed · ${job.model}`;
  }
  const parts: string[] = [];
  if (job.status === 'pending') {
    parts.push(
      job.queue_position ? `#${job.queue_position} in queue` : 'queued'
    );
  } else if (job.status === 'running' || job.status === 'completed') {
    parts.push(`${Math.floor(job.progress)}%`);
  }
  if (job.stage && job.status === 'running') {
    parts.push(job.stage);
  }
  const elapsed = elapsedMs(job, now);
  if (elapsed !== null) {
    parts.push(
      job.status === 'pending'
        ? `waiting ${formatDuration(elapsed)}`
        : formatDuration(elapsed)
    );
  }
  parts.push(job.model);
  return parts.join(' · ');
}

/** The queue in a few words, for the panel's header and the status bar. */
export function summarize(stats: IStats | null): string {
  if (!stats) {
    return 'BookNLP: not connected';
  }
  if (!stats.running && !stats.pending) {
    return 'BookNLP: idle';
  }
  return `BookNLP: ${stats.running} running, ${stats.pending} queued`;
}

/** Python that loads a finished job's tables through the notebook client. */
export function openJobCode(jobId: string): string {
  return [
    'from booknlp_jupyter.client import Client',
    '',
    `frames = Client().job(${JSON.stringify(jobId)}).frames()`,
    'frames["entities"]'
  ].join('\n');
}

/**
 * The pipeline to send: undefined (the engine's full pipeline) when every
 * component is chosen, else the chosen ones in their canonical order.
 */
export function pipelineToSend(chosen: Iterable<string>): string[] | undefined {
  const set = new Set(chosen);
  const list = PIPELINE_COMPONENTS.filter(c => set.has(c));
  return list.length === PIPELINE_COMPONENTS.length ? undefined : list;
}

/** Poll every `active` ms while jobs move, every `idle` ms otherwise. */
export function pollInterval(jobs: IJob[], active = 1000, idle = 5000): number {
  return jobs.some(isActive) ? active : idle;
}

/**
 * What a submit answer means for the user: a new job waiting or running
 * (`queued`), one that completes at once from a stored result (`analyzed`:
 * an identical request was analyzed before; `reused_from` names it, the
 * status may still be `pending` for a moment), or one that failed at once.
 * The HTTP status (200 or 202) does not matter, only the job's.
 */
export function submitOutcome(
  job: Pick<IJob, 'status' | 'reused_from'>
): 'queued' | 'analyzed' | 'failed' {
  if (job.status === 'completed' || isReused(job)) {
    return 'analyzed';
  }
  return isActive(job) ? 'queued' : 'failed';
}

/** An error's first non-empty line, and how many more lines it has. */
export function errorSummary(error: string): { first: string; more: number } {
  const lines = error.replace(/\r\n?/g, '\n').split('\n');
  const index = lines.findIndex(line => line.trim() !== '');
  if (index < 0) {
    return { first: '', more: 0 };
  }
  const rest = lines.slice(index + 1);
  while (rest.length && rest[rest.length - 1].trim() === '') {
    rest.pop();
  }
  return { first: lines[index].trim(), more: rest.length };
}

/**
 * How many jobs to list: 50 shown, plus the dismissed ones the last list held
 * (so dismissing does not empty the panel), at most the API's 1000.
 */
export function listLimit(hidden: number, shown = 50): number {
  return Math.min(1000, shown + Math.max(0, hidden));
}
