/**
 * The API's documents as the panel reads them. `IJob` mirrors the OpenAPI
 * component `JobView` field for field (tests/test_lab_types.py checks it).
 */

export type JobStatus =
  'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'expired';

/** A job as `GET /booknlp/v1/jobs/{id}` shows it (OpenAPI `JobView`). */
export interface IJob {
  job_id: string;
  status: JobStatus;
  /** 0..100, monotonic; 100 only when completed. */
  progress: number;
  stage: string | null;
  submitted_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  /** The whole error of a failed job (can be long and multi-line). */
  error_message: string | null;
  queue_position: number | null;
  book_id: string | null;
  model: string;
  pipeline: string[];
  owner?: string | null;
  expires_at?: string | null;
  token_count?: number | null;
  processing_time_ms?: number | null;
  /** The job whose stored result this one reused (it completed at once). */
  reused_from?: string | null;
  /** The corpus this job is a book of, if any. */
  corpus_id?: string | null;
}

/** `GET /booknlp/v1/jobs/stats` (OpenAPI `Stats`; the fields the panel reads). */
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
  /** The models that can run now (older servers do not send it). */
  available_models?: string[];
  default_model: string;
  max_document_size: number;
  max_concurrent_jobs?: number;
}

/** `GET /booknlp/v1/ready` (OpenAPI `Ready`; 200 when ready, 503 before). */
export interface IReady {
  ready: boolean;
  models?: string[];
  available_models?: string[];
  /** model → why it cannot run now, and how to install it. */
  unavailable_models?: Record<string, string>;
}

/**
 * The corpus API (`/booknlp/v1/corpora`): a folder of books analysed as one
 * run. Each interface mirrors the OpenAPI component of its name without the
 * `I` (`ICorpusView` is `CorpusView`), field for field.
 */
export type CorpusStatus = 'pending' | 'running' | 'completed' | 'cancelled';

/** One book of a corpus (OpenAPI `BookStatus`). */
export type BookStatus =
  'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** One book of a corpus (OpenAPI `CorpusBook`). */
export interface ICorpusBook {
  book_id: string;
  /** The file, relative to the server's root. */
  path: string;
  job_id: string | null;
  status: BookStatus;
  /** 0..100 */
  progress: number;
  error_message: string | null;
  /** Finished at once: its output files were already made from the same input. */
  skipped: boolean;
  chars: number;
}

/** Books per status (OpenAPI `CorpusCounts`). */
export interface ICorpusCounts {
  pending: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/** A corpus as `GET /booknlp/v1/corpora/{id}` shows it (OpenAPI `CorpusView`). */
export interface ICorpusView {
  corpus_id: string;
  status: CorpusStatus;
  books_total: number;
  counts: ICorpusCounts;
  /** 0..100, the books weighted by length; failed or cancelled ones count as done. */
  progress: number;
  /** Seconds left; null until it can be estimated. */
  eta_seconds: number | null;
  model: string;
  pipeline: string[];
  folder: string | null;
  /** Where the files are written, relative to the server's root. */
  output_dir: string;
  /** The same folder, absolute, on the server's machine. */
  output_path: string;
  strip_gutenberg: boolean;
  owner: string | null;
  submitted_at: string;
  completed_at: string | null;
  /** Every book (empty in lists). */
  books: ICorpusBook[];
}

/** `GET /booknlp/v1/corpora`, newest first (OpenAPI `CorpusList`). */
export interface ICorpusList {
  corpora: ICorpusView[];
  total: number;
}

/** The body of `POST /booknlp/v1/corpora` (OpenAPI `CorpusRequest`). */
export interface ICorpusRequest {
  /** A folder, relative to the server's root: its .txt files are the books. */
  folder?: string | null;
  /** Text files (relative to the server's root), instead of a folder. */
  paths?: string[] | null;
  /** Default: booknlp_output/<folder name>. */
  output_dir?: string | null;
  model?: string | null;
  pipeline?: string[] | null;
  strip_gutenberg?: boolean;
}
