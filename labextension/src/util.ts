/**
 * Pure helpers (no JupyterLab imports), unit-tested in test/util.test.ts.
 */

/** A job as `GET /booknlp/v1/jobs/{id}` shows it. */
export interface IJob {
  job_id: string;
  status: JobStatus;
  /** 0..100, monotonic; 100 only when completed. */
  progress: number;
  stage: string | null;
  submitted_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  error_message: string | null;
  queue_position: number | null;
  book_id: string | null;
  model: string;
  pipeline: string[];
  owner?: string | null;
  expires_at?: string | null;
  token_count?: number | null;
  processing_time_ms?: number | null;
}

export type JobStatus =
  'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'expired';

/** `GET /booknlp/v1/jobs/stats` (the fields the panel reads). */
export interface IStats {
  running: number;
  pending: number;
  completed?: number;
  failed?: number;
  queue_size: number;
  max_queue_size: number;
  worker_running: boolean;
  devices: string[];
  models: string[];
  default_model: string;
  max_document_size: number;
  max_concurrent_jobs?: number;
}

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
