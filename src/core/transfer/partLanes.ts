import { getMaxListeners, setMaxListeners } from 'node:events';
import { throwIfAborted } from './retry';

/** A fewer-lane window at least this share of the best rate seen is as fast: fewer lanes are kept. */
const AS_FAST = 0.95;
/** Parts a window waits for, per lane: enough that each lane has brought a whole part in it. */
const PARTS_PER_LANE = 2;

/**
 * How many parts of one large download are fetched at once. Parallel
 * ranges pay where one stream is held back (latency, a per-connection cap,
 * as S3 has) and cost where one stream already fills the link: on a server
 * sharing the CPU (the local benchmark's) four measured 15% slower than one,
 * each range being work the server does apart. So a download starts with
 * the setting's lanes (as fast as ever where they pay), then tries half as
 * many for a window, and keeps halving while that is as fast (within 5%).
 * The first halving that is slower is undone, and the count settles.
 */
export class LaneTuner {
  private lanesWanted: number;
  /** The count the last halving came from, to go back to. */
  private lanesBefore: number;
  private settledAt: number | undefined;
  private bestRate = 0;
  /** Since when, and what, the window under way has measured (lanes at the count wanted throughout). */
  private window: { since: number; parts: number; bytes: number } | undefined;

  constructor(
    maxLanes: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lanesWanted = this.lanesBefore = Math.max(1, maxLanes);
    if (this.lanesWanted === 1) {
      this.settledAt = 1;
    }
  }

  /** Lanes to run now. */
  get lanes(): number {
    return this.lanesWanted;
  }

  /**
   * Parts a lane asks for in one request. A request costs a round trip and
   * the server's start of a GET, which lanes side by side hide and one lane
   * alone pays for every part: one lane asks for PARTS_PER_LANE parts at a
   * time while it is tried (so the try measures it as it would run), and for
   * all the rest once settled at one.
   */
  get partsPerRequest(): number {
    if (this.lanesWanted > 1) {
      return 1;
    }
    return this.settledAt === 1 ? Infinity : PARTS_PER_LANE;
  }

  /** The count once it no longer changes. */
  get settled(): number | undefined {
    return this.settledAt;
  }

  /**
   * A part of `bytes` has arrived while `running` lanes ran. A window opens
   * at a part's end once the lanes running are the lanes wanted (the first
   * parts, which also make the connections, are not measured), and closes
   * when every lane has brought PARTS_PER_LANE parts in it.
   */
  partDone(bytes: number, running: number): void {
    if (this.settledAt !== undefined) {
      return;
    }
    if (running !== this.lanesWanted) {
      // Lanes still leaving after a change: what they bring says nothing of the new count.
      this.window = undefined;
      return;
    }
    if (!this.window) {
      this.window = { since: this.now(), parts: 0, bytes: 0 };
      return;
    }
    this.window.parts++;
    this.window.bytes += bytes;
    if (this.window.parts < PARTS_PER_LANE * this.lanesWanted) {
      return;
    }
    const rate = this.window.bytes / Math.max(1e-3, this.now() - this.window.since);
    this.window = undefined;
    if (rate < AS_FAST * this.bestRate) {
      // Fewer lanes were slower: back to the count before.
      this.lanesWanted = this.lanesBefore;
      this.settledAt = this.lanesWanted;
      return;
    }
    this.bestRate = Math.max(this.bestRate, rate);
    if (this.lanesWanted === 1) {
      this.settledAt = 1;
      return;
    }
    this.lanesBefore = this.lanesWanted;
    this.lanesWanted = Math.ceil(this.lanesWanted / 2);
  }
}

/**
 * Runs `worker` on each part `next` hands out, on as many lanes at once as
 * `tuner` wants: a lane beyond that leaves before taking another part, and
 * lanes are added when it wants more. `bytesOf` is a part's size, for the
 * tuner's measure. The first failure stops taking new parts; it is thrown
 * once the parts already started have settled.
 */
export async function forEachPartOnLanes<T>(
  next: () => T | undefined,
  bytesOf: (part: T) => number,
  tuner: LaneTuner,
  signal: AbortSignal,
  worker: (part: T) => Promise<void>,
): Promise<void> {
  let failure: { error: unknown } | undefined;
  let running = 0;
  /** No part left to hand out: no lane is added any more. */
  let exhausted = false;
  const lanes: Promise<void>[] = [];
  const lane = async () => {
    try {
      // A lane counts as gone as soon as it decides to go, so that of several done at once only the extra ones go.
      while (!failure && running <= tuner.lanes) {
        throwIfAborted(signal);
        const part = next();
        if (part === undefined) {
          exhausted = true;
          return;
        }
        await worker(part);
        tuner.partDone(bytesOf(part), running);
        addLanes();
      }
    } finally {
      running--;
    }
  };
  const addLanes = () => {
    while (!failure && !exhausted && running < tuner.lanes) {
      running++;
      lanes.push(
        lane().catch((error: unknown) => {
          failure ??= { error };
        }),
      );
    }
  };
  // Each lane listens on the job's signal (its request, its write, a back-off): see forEachConcurrently.
  const allowance = 3 * tuner.lanes;
  setMaxListeners(getMaxListeners(signal) + allowance, signal);
  try {
    addLanes();
    // Lanes added while the others run are awaited too.
    for (let awaited = 0; awaited < lanes.length; ) {
      const batch = lanes.slice(awaited);
      awaited = lanes.length;
      await Promise.all(batch);
    }
  } finally {
    setMaxListeners(getMaxListeners(signal) - allowance, signal);
  }
  if (failure) {
    throw failure.error;
  }
}
