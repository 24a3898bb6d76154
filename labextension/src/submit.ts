import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { IModelChoice, preferredModel } from './choices';
import { PIPELINE_COMPONENTS, pipelineToSend } from './util';

/** What the dialog shows: the text's origin and size, and the choices. */
export interface ISubmitOptions {
  source: string;
  /** The text's length; or `detail`, said instead (e.g. a folder's files). */
  chars?: number;
  detail?: string;
  /** The book id to offer; none asked when undefined (a folder's books). */
  bookId?: string;
  /** The output folder to offer; none asked when undefined (a single text). */
  outputDir?: string;
  /** The server's models, those that cannot run now marked so (with why). */
  models: IModelChoice[];
}

export interface ISubmitChoice {
  bookId: string;
  /** The output folder as typed ('' when not asked). */
  outputDir: string;
  model: string | undefined;
  pipeline: string[] | undefined;
}

/** The dialog's form: book id, model and pipeline. */
class SubmitForm extends Widget implements Dialog.IBodyWidget<ISubmitChoice> {
  constructor(options: ISubmitOptions) {
    super();
    this.addClass('jp-BookNLP-submit');
    const doc = this.node.ownerDocument;

    const about = doc.createElement('p');
    about.className = 'jp-BookNLP-submit-source';
    const detail =
      options.detail ?? `${(options.chars ?? 0).toLocaleString()} characters`;
    about.textContent = `${options.source} · ${detail}`;
    this.node.appendChild(about);

    this._bookId = this._input('book_id', options.bookId, 128);
    if (options.bookId !== undefined) {
      this.node.appendChild(this._field('Book id', this._bookId));
    }
    this._outputDir = this._input('output_dir', options.outputDir, 1024);
    if (options.outputDir !== undefined) {
      this.node.appendChild(this._field('Output folder', this._outputDir));
    }

    this._model = doc.createElement('select');
    this._model.name = 'model';
    this._model.className = 'jp-mod-styled';
    const selected = preferredModel(options.models);
    for (const choice of options.models) {
      const option = doc.createElement('option');
      option.value = choice.name;
      option.textContent =
        choice.name +
        (choice.isDefault ? ' (default)' : '') +
        (choice.available ? '' : ' — not available');
      option.disabled = !choice.available;
      option.selected = choice.name === selected;
      if (choice.reason) {
        option.title = choice.reason;
      }
      this._model.appendChild(option);
    }
    this.node.appendChild(this._field('Model', this._model));
    const missing = options.models.filter(c => !c.available);
    if (missing.length) {
      this.node.appendChild(this._unavailable(missing));
    }

    const fieldset = doc.createElement('fieldset');
    fieldset.className = 'jp-BookNLP-pipeline';
    const legend = doc.createElement('legend');
    legend.textContent = 'Pipeline (all: the engine’s full pipeline)';
    fieldset.appendChild(legend);
    for (const component of PIPELINE_COMPONENTS) {
      const label = doc.createElement('label');
      const box = doc.createElement('input');
      box.type = 'checkbox';
      box.name = 'pipeline';
      box.value = component;
      box.checked = true;
      this._boxes.push(box);
      label.append(box, ` ${component}`);
      fieldset.appendChild(label);
    }
    this.node.appendChild(fieldset);
  }

  getValue(): ISubmitChoice {
    return {
      bookId: this._bookId.value.trim(),
      outputDir: this._outputDir.value.trim(),
      model: this._model.value || undefined,
      pipeline: pipelineToSend(
        this._boxes.filter(b => b.checked).map(b => b.value)
      )
    };
  }

  /** The models that cannot run now, each with its reason (how to install it). */
  private _unavailable(missing: IModelChoice[]): HTMLElement {
    const doc = this.node.ownerDocument;
    const box = doc.createElement('div');
    box.className = 'jp-BookNLP-unavailable';
    const head = doc.createElement('p');
    head.textContent = 'Not available on this server now:';
    const list = doc.createElement('ul');
    for (const choice of missing) {
      const item = doc.createElement('li');
      item.dataset.model = choice.name;
      const name = doc.createElement('b');
      name.textContent = choice.name;
      const reason = doc.createElement('span');
      reason.className = 'jp-BookNLP-unavailable-reason';
      reason.textContent = choice.reason ?? '';
      item.append(name, ': ', reason);
      list.appendChild(item);
    }
    box.append(head, list);
    return box;
  }

  private _input(
    name: string,
    value: string | undefined,
    maxLength: number
  ): HTMLInputElement {
    const input = this.node.ownerDocument.createElement('input');
    input.type = 'text';
    input.name = name;
    input.maxLength = maxLength;
    input.value = value ?? '';
    input.className = 'jp-mod-styled';
    return input;
  }

  private _field(text: string, input: HTMLElement): HTMLElement {
    const label = this.node.ownerDocument.createElement('label');
    label.className = 'jp-BookNLP-field';
    const span = this.node.ownerDocument.createElement('span');
    span.textContent = text;
    label.append(span, input);
    return label;
  }

  private _bookId: HTMLInputElement;
  private _outputDir: HTMLInputElement;
  private _model: HTMLSelectElement;
  private _boxes: HTMLInputElement[] = [];
}

/**
 * Ask for the book id (or output folder), model and pipeline; null if the
 * user cancels.
 */
export async function askSubmit(
  options: ISubmitOptions,
  title = 'Analyze with BookNLP'
): Promise<ISubmitChoice | null> {
  const first = options.bookId !== undefined ? 'book_id' : 'output_dir';
  const result = await showDialog<ISubmitChoice>({
    title,
    body: new SubmitForm(options),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Analyze' })],
    focusNodeSelector: `input[name="${first}"]`
  });
  return result.button.accept ? result.value : null;
}
