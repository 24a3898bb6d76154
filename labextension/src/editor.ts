/**
 * The text to analyze in an editor (a notebook cell's or a file editor's).
 */
import { Widget } from '@lumino/widgets';

/** The parts of a CodeMirror editor that are read here. */
export interface IEditorLike {
  model: { sharedModel: { getSource(): string } };
  getSelection(): {
    start: { line: number; column: number };
    end: { line: number; column: number };
  };
  getOffsetAt(position: { line: number; column: number }): number;
}

/** An editor's text: its selection if it has one, else all of it. */
export function editorText(editor: IEditorLike): {
  text: string;
  selected: boolean;
} {
  const source = editor.model.sharedModel.getSource();
  const range = editor.getSelection();
  const a = editor.getOffsetAt(range.start);
  const b = editor.getOffsetAt(range.end);
  if (a !== b) {
    return {
      text: source.slice(Math.min(a, b), Math.max(a, b)),
      selected: true
    };
  }
  return { text: source, selected: false };
}

/** A document widget's path and editor, when it has them (file editors). */
export function documentOf(widget: Widget | null): {
  path: string | null;
  editor: IEditorLike | null;
} {
  const w = widget as unknown as {
    context?: { path?: unknown };
    content?: { editor?: unknown };
  } | null;
  const path = w && typeof w.context?.path === 'string' ? w.context.path : null;
  const editor = (w?.content?.editor ?? null) as IEditorLike | null;
  return {
    path,
    editor: editor && typeof editor.getSelection === 'function' ? editor : null
  };
}
