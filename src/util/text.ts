// Pure text helpers, one meaning each: which line of a text, or how a text is made to fit on one line.
// (Redacting is a separate step, in redact.ts: redact before clipping, so a cut never splits a secret.)

/** The text before its first newline; all of it when it has none. */
export function firstLine(text: string): string {
  return text.split('\n')[0];
}

/** The first line that holds more than whitespace, trimmed; '' when there is none (stderr often starts blank). */
export function firstNonBlankLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l) ?? '';
}

/** Every run of whitespace, newlines included, made one space, and the ends trimmed: a message on one line. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** At most `max` characters: a longer text is cut to max - 1 and ends in '…'. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What was thrown, as text: an Error's message, anything else as a string. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Every control character (newline, CR, ESC …) written out as an escape: the text stays one line and moves no cursor. */
export function escapeControlChars(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

// ESC sequences: CSI (colours, cursor moves, clear screen), OSC (window title, hyperlinks, clipboard),
// DCS/SOS/PM/APC strings, and the two-character ones; their 8-bit C1 forms too
// eslint-disable-next-line no-control-regex
const ESCAPES = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -/]*[0-~]?/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Text that may be shown on a terminal: escape sequences removed and every other control character (a
 * carriage return, a bell, a backspace …) dropped; newlines and tabs stay. For agent text in human views:
 * it must not recolour, retitle, clear or overwrite the operator's screen.
 */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}
