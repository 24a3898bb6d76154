import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  ICorpusList,
  ICorpusRequest,
  ICorpusView,
  IJob,
  IReady,
  IStats
} from './types';

/** Where the job API lives below the server's base URL. */
export const API_PATH = 'booknlp/v1';

/** An API answer that was not 2xx: `detail` is the server's own words. */
export class APIError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string
  ) {
    super(status ? `${detail} (HTTP ${status})` : detail);
    this.name = 'APIError';
  }
}

export interface ISubmitRequest {
  text: string;
  book_id?: string;
  model?: string;
  pipeline?: string[];
}

/**
 * The BookNLP job API through `ServerConnection`, so the base URL, the token and
 * the XSRF cookie work as everywhere else in JupyterLab.
 */
export class BookNLPAPI {
  constructor(readonly settings: ServerConnection.ISettings) {}

  url(path: string): string {
    return URLExt.join(this.settings.baseUrl, API_PATH, path);
  }

  /**
   * The answer's JSON; an APIError for a status that is not 2xx (nor one of
   * `alsoOk`, e.g. 503 for `/ready`, whose body says what is missing).
   */
  async request<T>(
    path: string,
    init: RequestInit = {},
    alsoOk: number[] = []
  ): Promise<T> {
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        this.url(path),
        init,
        this.settings
      );
    } catch (error) {
      throw new APIError(
        0,
        `cannot reach the Jupyter server: ${String(error)}`
      );
    }
    const raw = await response.text();
    let body: unknown = null;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    if (!response.ok && !alsoOk.includes(response.status)) {
      let detail = response.statusText || 'request failed';
      if (body && typeof body === 'object' && 'detail' in body) {
        detail = String((body as { detail: unknown }).detail);
      } else if (response.status === 404) {
        detail =
          'the booknlp_jupyter server extension is not enabled on this server';
      } else if (typeof body === 'string' && body) {
        detail = body.slice(0, 200);
      }
      throw new APIError(response.status, detail);
    }
    return body as T;
  }

  listJobs(limit = 50): Promise<{ jobs: IJob[]; total: number }> {
    return this.request(`jobs?limit=${limit}`);
  }

  stats(): Promise<IStats> {
    return this.request('jobs/stats');
  }

  /** `/v1/ready`: ready or not (503), with the models that can run now. */
  ready(): Promise<IReady> {
    return this.request('ready', {}, [503]);
  }

  getJob(jobId: string): Promise<IJob> {
    return this.request(`jobs/${encodeURIComponent(jobId)}`);
  }

  /**
   * A new job: 200 or 202, the job's record either way. Its status is
   * `completed` at once (with `reused_from`) when an identical request's
   * result was stored.
   */
  submit(body: ISubmitRequest): Promise<IJob> {
    return this.request('jobs', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' }
    });
  }

  cancel(jobId: string, force = false): Promise<IJob> {
    const query = force ? '?force=true' : '';
    return this.request(`jobs/${encodeURIComponent(jobId)}${query}`, {
      method: 'DELETE'
    });
  }

  /** The caller's corpora, newest first, without their books. */
  listCorpora(): Promise<ICorpusList> {
    return this.request('corpora');
  }

  /** One corpus, with every book. */
  getCorpus(corpusId: string): Promise<ICorpusView> {
    return this.request(`corpora/${encodeURIComponent(corpusId)}`);
  }

  /** A new corpus: a folder's (or some files') books, queued as jobs. */
  submitCorpus(body: ICorpusRequest): Promise<ICorpusView> {
    return this.request('corpora', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' }
    });
  }

  /** Books not started never run; `force` also stops the running one. */
  cancelCorpus(corpusId: string, force = false): Promise<ICorpusView> {
    const query = force ? '?force=true' : '';
    return this.request(`corpora/${encodeURIComponent(corpusId)}${query}`, {
      method: 'DELETE'
    });
  }
}
