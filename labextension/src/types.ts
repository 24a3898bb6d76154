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
