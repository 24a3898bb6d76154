/**
 * React hooks the book view's sections share: follow a `BookData`, and load
 * the tables a section needs (in order, once it is first shown).
 */
import * as React from 'react';

import { message } from './commandids';
import { BookData, IBookTables, TableName } from './bookloader';

/** Re-render whenever `data` changes (rows arrive, a table is done). */
export function useBookData(data: BookData): void {
  const [, setVersion] = React.useState(0);
  React.useEffect(() => {
    const bump = () => setVersion(v => v + 1);
    data.changed.connect(bump);
    return () => {
      data.changed.disconnect(bump);
    };
  }, [data]);
}

export interface ITablesState {
  tables: Partial<IBookTables>;
  error: string | null;
  retry(): void;
}

/**
 * Load `names` one after another once `active` is first true; the tables that
 * are here so far, and the error that stopped the loading, if any.
 */
export function useTables(
  data: BookData,
  names: TableName[],
  active: boolean
): ITablesState {
  useBookData(data);
  const [error, setError] = React.useState<string | null>(null);
  const [attempt, setAttempt] = React.useState(0);
  const key = names.join(',');
  React.useEffect(() => {
    if (!active) {
      return;
    }
    let live = true;
    void (async () => {
      for (const name of names) {
        try {
          await data.load(name);
        } catch (err) {
          if (live) {
            setError(`could not load the ${name} table: ${message(err)}`);
          }
          return;
        }
      }
    })();
    return () => {
      live = false;
    };
  }, [data, key, active, attempt]);
  const tables: Partial<IBookTables> = {};
  for (const name of names) {
    (tables as Record<string, unknown>)[name] = data.peek(name);
  }
  return {
    tables,
    error,
    retry: () => {
      setError(null);
      setAttempt(a => a + 1);
    }
  };
}
