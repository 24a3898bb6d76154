/**
 * A finished job's tables for the book view, fetched from the API one at a
 * time (`/jobs/{id}/result/{table}`), each once, only when a section asks for
 * it. Tabular tables stream in as CSV and are parsed chunk by chunk (see
 * bookcsv.ts); `characters` is BookNLP's `.book` JSON.
 */
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { APIError, BookNLPAPI } from './api';
import {
  CsvStream,
  EntitiesBuilder,
  IEntities,
  IQuote,
  ITableBuilder,
  ITokens,
  QuotesBuilder,
  TokensBuilder
} from './bookcsv';
import { ICharacter } from './bookdata';

/** The tables of a result, as the book view holds them. */
export interface IBookTables {
  characters: ICharacter[];
  quotes: IQuote[];
  entities: IEntities;
  tokens: ITokens;
}

export type TableName = keyof IBookTables;

/** Every table the API serves (for the CSV downloads). */
export const API_TABLES = [
  'tokens',
  'entities',
  'quotes',
  'characters',
  'events',
  'supersenses'
] as const;

/** A table on its way: rows parsed so far, of `total` (when known). */
export interface ILoading {
  table: TableName;
  rows: number;
  total: number | null;
}

async function failure(response: Response): Promise<APIError> {
  let detail = response.statusText || 'request failed';
  try {
    const body = await response.json();
    if (body && typeof body === 'object' && 'detail' in body) {
      detail = String(body.detail);
    }
  } catch {
    // not JSON: keep the status text
  }
  return new APIError(response.status, detail);
}

export class BookData {
  constructor(
    readonly api: BookNLPAPI,
    readonly jobId: string
  ) {}

  /** What is loading now (null when nothing is). */
  get loading(): ILoading | null {
    return this._loading;
  }

  /** Emitted as rows arrive and when a table is done. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The table if it is already here. */
  peek<K extends TableName>(table: K): IBookTables[K] | undefined {
    return this._done[table] as IBookTables[K] | undefined;
  }

  /** The table, fetched once; requests wait for the one before them. */
  load<K extends TableName>(table: K): Promise<IBookTables[K]> {
    let promise = this._promises.get(table);
    if (!promise) {
      promise = this._queue.then(() => this._fetch(table));
      this._promises.set(table, promise);
      this._queue = promise.catch(() => undefined);
      promise.then(
        value => {
          (this._done as Record<string, unknown>)[table] = value;
          this._changed.emit();
        },
        () => {
          this._promises.delete(table); // a later call tries again
          this._changed.emit();
        }
      );
    }
    return promise as Promise<IBookTables[K]>;
  }

  /** The API URL of one table in `format`. */
  tableUrl(table: string, format: 'json' | 'csv'): string {
    return this.api.url(
      `jobs/${encodeURIComponent(this.jobId)}/result/${table}?format=${format}`
    );
  }

  private async _get(url: string): Promise<Response> {
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, {}, this.api.settings);
    } catch (error) {
      throw new APIError(
        0,
        `cannot reach the Jupyter server: ${String(error)}`
      );
    }
    if (!response.ok) {
      throw await failure(response);
    }
    return response;
  }

  private async _fetch(table: TableName): Promise<unknown> {
    if (table === 'characters') {
      const response = await this._get(this.tableUrl('characters', 'json'));
      return (await response.json()) as ICharacter[];
    }
    const response = await this._get(this.tableUrl(table, 'csv'));
    const total = Number(response.headers.get('X-Row-Count'));
    const known = Number.isFinite(total) && total >= 0 ? total : null;
    const builder: ITableBuilder<unknown> =
      table === 'tokens'
        ? new TokensBuilder(known ?? 0)
        : table === 'entities'
          ? new EntitiesBuilder(known ?? 0)
          : new QuotesBuilder();
    this._loading = { table, rows: 0, total: known };
    this._changed.emit();
    try {
      await readCsv(response, builder, rows => {
        this._loading = { table, rows, total: known };
        this._changed.emit();
      });
      return builder.done();
    } finally {
      this._loading = null;
    }
  }

  /** Save the job as BookNLP's own output files (`.tokens`, `.entities`, ...), zipped. */
  async downloadBookNLPFiles(filename: string): Promise<void> {
    const response = await this._get(
      this.api.url(`jobs/${encodeURIComponent(this.jobId)}/booknlp.zip`)
    );
    saveBlob(await response.blob(), filename);
  }

  /** Save one of the API's tables as a CSV file, as the server writes it. */
  async downloadTable(table: string, filename: string): Promise<void> {
    const response = await this._get(this.tableUrl(table, 'csv'));
    saveBlob(await response.blob(), filename);
  }

  private _queue: Promise<unknown> = Promise.resolve();
  private _promises = new Map<TableName, Promise<unknown>>();
  private _done: Partial<IBookTables> = {};
  private _loading: ILoading | null = null;
  private _changed = new Signal<this, void>(this);
}

/** Parse a streamed CSV response into `builder`; `progress` about every 50,000 rows. */
async function readCsv(
  response: Response,
  builder: ITableBuilder<unknown>,
  progress: (rows: number) => void
): Promise<void> {
  const stream = new CsvStream(fields => builder.row(fields));
  if (!response.body) {
    stream.push(await response.text());
    stream.end();
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let reported = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    stream.push(decoder.decode(value, { stream: true }));
    if (builder.rows - reported >= 50_000) {
      reported = builder.rows;
      progress(reported);
    }
  }
  stream.push(decoder.decode());
  stream.end();
}

/** Offer `blob` as a file download named `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
