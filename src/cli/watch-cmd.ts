// `agent-runner watch`: peek's human view, redrawn every interval. On a terminal: the alternate screen,
// each frame written over the last (cursor home, each line cleared to its end, then the rest of the screen)
// so nothing flickers; the terminal is restored on exit. Otherwise: one summary per interval, separated.
import { loadObserverContext } from '../config/context.js';
import { EXIT, UserError } from '../errors.js';
import { renderSnapshot } from './peek-render.js';
import { buildSnapshot } from '../snapshot/build.js';
import { errorMessage, firstLine } from '../util/text.js';
import { clockTime } from '../util/time-display.js';

export const DEFAULT_WATCH_INTERVAL_S = 2;
/** below this, watch would spend its time in git and /proc, not showing anything new */
const MIN_INTERVAL_S = 0.2;
/** a day: enough for any watch, and far below setTimeout's limit (2^31-1 ms), past which Node waits 1 ms */
export const MAX_INTERVAL_S = 86_400;

const ESC = '\x1b[';
const ENTER = '\x1b[?1049h' + ESC + '?25l'; // alternate screen, cursor hidden
const LEAVE = ESC + '?25h' + '\x1b[?1049l'; // cursor shown, main screen back
const HOME = ESC + 'H';
const CLEAR_EOL = ESC + 'K';
const CLEAR_EOS = ESC + 'J';

/**
 * Pure: one frame for a terminal of `rows` × `cols`. Lines are cut to the width (a wrapped line would shift
 * every line below it) and to the height (a scrolled screen would leave the frame out of place).
 */
export function frame(text: string, rows: number, cols: number): string {
  const lines = text.replace(/\n$/, '').split('\n').slice(0, Math.max(1, rows - 1));
  const cut = lines.map((l) => ([...l].length > cols ? [...l].slice(0, Math.max(1, cols - 1)).join('') + '…' : l));
  return HOME + cut.map((l) => l + CLEAR_EOL).join('\r\n') + '\r\n' + CLEAR_EOS;
}

export async function watchCommand(o: { config?: string; interval?: number }): Promise<number> {
  const intervalS = o.interval ?? DEFAULT_WATCH_INTERVAL_S;
  if (!(intervalS >= MIN_INTERVAL_S && intervalS <= MAX_INTERVAL_S))
    throw new UserError(`--interval must be between ${MIN_INTERVAL_S}s and ${MAX_INTERVAL_S}s`, EXIT.USAGE);
  const ctx = loadObserverContext(o.config);
  const out = process.stdout;
  const tty = out.isTTY === true;

  const view = async (): Promise<string> => {
    const clock = clockTime(Date.now(), Date.now(), { seconds: true });
    const headLine = `agent-runner watch · every ${intervalS}s · ${clock}${tty ? ' · Ctrl-C to exit' : ''}`;
    try {
      return `${headLine}\n\n${renderSnapshot(await buildSnapshot(ctx))}`;
    } catch (e) {
      // a bad moment (a state dir being replaced) must not end the watch
      return `${headLine}\n\ncould not take a snapshot: ${firstLine(errorMessage(e))}\n`;
    }
  };

  let last = '';
  const draw = (text: string) => {
    last = text;
    if (tty) out.write(frame(text, out.rows || 24, out.columns || 80));
    else out.write(text + '\n');
  };

  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    let done = false;
    const tick = async () => {
      const text = await view();
      if (done) return;
      draw(text);
      // the next frame is scheduled after this one is drawn: a slow git never stacks up frames
      timer = setTimeout(tick, intervalS * 1000);
    };
    const onResize = () => last && draw(last);
    const finish = () => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      process.off('SIGHUP', finish);
      if (tty) {
        out.off('resize', onResize);
        out.write(LEAVE);
      }
      resolve(EXIT.OK);
    };
    process.on('SIGINT', finish);
    process.on('SIGTERM', finish);
    process.on('SIGHUP', finish);
    if (tty) {
      out.write(ENTER);
      out.on('resize', onResize);
      // restore the screen even on an unexpected exit path
      process.once('exit', () => !done && out.write(LEAVE));
    }
    void tick();
  });
}
