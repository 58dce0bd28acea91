import { LogqsError } from '../../src/core/errors';
import type { ObjectStore, ObjectStoreCreateInput, ObjectStoreUpdateInput } from '../../src/core/objectStore';
import type { ConflictChoice } from '../../src/core/transfer';
import type { BrowsedItem, LivePick, LivePickBehaviour, MessageAction, PickChoice, Ui } from '../../src/vscode/ui';

/**
 * The commands' Ui with scripted answers, recording what it was asked and
 * told. A question left unscripted (`undefined`) answers as a person pressing
 * Escape: a 'cancelled' error. So a test that expects a cancel also checks
 * where it came from (what was asked, or the call it reached), or an
 * unanswered question could pass for it.
 */
export class FakeUi implements Ui {
  readonly told: string[] = [];
  readonly asked: string[] = [];
  /** The detail of each confirm asked, in order. */
  readonly confirmDetails: string[] = [];
  /** Where each new store's form said its secret goes. */
  readonly secretsKeptBy: string[] = [];
  confirmAnswer = true;
  newStore?: ObjectStoreCreateInput;
  storeChange?: ObjectStoreUpdateInput;
  /** Which item a picker picks, by label; undefined = Escape. */
  pickLabel?: string;
  chooseAnswer?: string;
  textAnswer?: string;
  browseAnswer?: BrowsedItem;
  localFolder?: string;
  localPaths?: string[];
  conflictAnswer?: ConflictChoice;
  readonly clipboard: string[] = [];
  readonly details: { title: string; rows: readonly (readonly [string, string])[] }[] = [];
  /** Each livePick opened, for the test to type into and pick from. */
  readonly livePicks: FakeLivePick<unknown>[] = [];

  /** The buttons of the last notification, to press in a test. */
  actions: readonly MessageAction[] = [];

  info(message: string, actions: readonly MessageAction[] = []) {
    this.told.push(`info: ${message}${actions.length ? ` [${actions.map((action) => action.label).join(' | ')}]` : ''}`);
    this.actions = actions;
  }

  warn(message: string) {
    this.told.push(`warn: ${message}`);
  }

  status(message: string) {
    this.told.push(`status: ${message}`);
  }

  async confirm(message: string, detail: string) {
    this.asked.push(`confirm: ${message}`);
    this.confirmDetails.push(detail);
    return this.confirmAnswer;
  }

  choose: Ui['choose'] = async (message, _detail, answers) => {
    this.asked.push(`choose: ${message} [${answers.join(' | ')}]`);
    const answer = answers.find((candidate) => candidate === this.chooseAnswer);
    return this.scripted(answer, 'choose');
  };

  askText: Ui['askText'] = async (request) => {
    this.asked.push(`askText: ${request.title}`);
    const answer = this.scripted(this.textAnswer, 'askText');
    const problem = request.validate?.(answer);
    if (problem) {
      // A person can't accept a refused value; the test scripted an impossible answer.
      throw new Error(`the input box refuses "${answer}": ${problem}`);
    }
    return answer;
  };

  browseStore: Ui['browseStore'] = async (ref, request) => {
    this.asked.push(`browseStore: ${request.title}: ${ref.store.name} (${request.want}${request.rootFolder === false ? ', not its root' : ''})`);
    return this.scripted(this.browseAnswer, 'browseStore');
  };

  pickLocalFolder: Ui['pickLocalFolder'] = async (request) => {
    this.asked.push(`pickLocalFolder: ${request.title}`);
    return this.scripted(this.localFolder, 'pickLocalFolder');
  };

  pickLocalPaths: Ui['pickLocalPaths'] = async (request) => {
    this.asked.push(`pickLocalPaths: ${request.title}`);
    return this.scripted(this.localPaths, 'pickLocalPaths');
  };

  askConflict: Ui['askConflict'] = async (existing) => {
    this.asked.push(`askConflict: ${existing}`);
    return this.scripted(this.conflictAnswer, 'askConflict');
  };

  copyToClipboard: Ui['copyToClipboard'] = async (text) => {
    this.clipboard.push(text);
  };

  showDetails: Ui['showDetails'] = (title, rows) => {
    this.details.push({ title, rows });
  };

  pickOne: Ui['pickOne'] = async (title, choices) => {
    this.asked.push(`pickOne: ${title}: ${choices.map((choice) => choice.label).join(' | ')}`);
    return this.pickFrom(choices, (choice) => choice.label).value;
  };

  livePick: Ui['livePick'] = (request, start) => {
    this.asked.push(`livePick: ${request.title}`);
    const pick = new FakeLivePick(start);
    this.livePicks.push(pick as FakeLivePick<unknown>);
    return pick.result;
  };

  pickSource: Ui['pickSource'] = async (sources, placeHolder) => {
    this.asked.push(`pickSource: ${placeHolder}: ${sources.map((source) => source.label).join(', ')}`);
    return this.pickFrom(sources, (source) => source.label);
  };

  pickStore: Ui['pickStore'] = async (stores, placeHolder) => {
    this.asked.push(`pickStore: ${placeHolder}: ${stores.map((ref) => ref.store.name).join(', ')}`);
    return this.pickFrom(stores, (ref) => ref.store.name);
  };

  async promptNewStore(_stores: readonly ObjectStore[], secretKeptBy: string) {
    this.secretsKeptBy.push(secretKeptBy);
    return this.scripted(this.newStore, 'promptNewStore');
  }

  async promptStoreChange() {
    return this.scripted(this.storeChange, 'promptStoreChange');
  }

  private pickFrom<T>(items: readonly T[], label: (item: T) => string): T {
    // Exact label, or the label without its leading icon ("$(copy) Copy…").
    const item = items.find((candidate) => label(candidate) === this.pickLabel || label(candidate).replace(/^\$\([\w-]+\) /, '') === this.pickLabel);
    if (!item) {
      throw new LogqsError('cancelled', 'Cancelled');
    }
    return item;
  }

  private scripted<T>(answer: T | undefined, question: string): T {
    if (!this.asked.at(-1)?.startsWith(question)) {
      this.asked.push(question);
    }
    if (answer === undefined) {
      throw new LogqsError('cancelled', 'Cancelled');
    }
    return answer;
  }
}

/** A livePick the test drives: it types, waits for items, accepts one by label, or dismisses it. */
export class FakeLivePick<T> implements LivePick<T> {
  value = '';
  busy = false;
  /** Every list the caller showed, in order. */
  readonly shown: string[][] = [];
  private current: readonly PickChoice<T>[] = [];

  get items(): readonly PickChoice<T>[] {
    return this.current;
  }

  set items(items: readonly PickChoice<T>[]) {
    this.current = items;
    this.shown.push(items.map((item) => item.label));
  }
  readonly result: Promise<T>;
  private readonly behaviour: LivePickBehaviour<T>;
  private settle!: { resolve: (value: T) => void; reject: (error: unknown) => void };

  constructor(start: (pick: LivePick<T>) => LivePickBehaviour<T>) {
    this.result = new Promise<T>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.behaviour = start(this);
  }

  get labels(): string[] {
    return this.items.map((item) => item.label);
  }

  type(text: string): void {
    this.value = text;
    this.behaviour.onValue(text);
  }

  /** Waits (a few event-loop turns at a time) until the items satisfy `ready`; fails after 2 s. */
  async itemsWhere(ready: (labels: string[]) => boolean): Promise<string[]> {
    const until = Date.now() + 2000;
    while (!ready(this.labels)) {
      if (Date.now() > until) {
        throw new Error(`the live pick never showed the expected items; it shows ${JSON.stringify(this.labels)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return this.labels;
  }

  accept(label: string): void {
    const item = this.items.find((candidate) => candidate.label === label || candidate.label.replace(/^\$\([\w-]+\) /, '') === label);
    if (!item) {
      throw new Error(`no item "${label}" in ${JSON.stringify(this.labels)}`);
    }
    if (this.behaviour.onAccept(item.value)) {
      this.behaviour.dispose();
      this.settle.resolve(item.value);
    }
  }

  hide(): void {
    this.behaviour.dispose();
    this.settle.reject(new LogqsError('cancelled', 'Cancelled'));
  }
}
