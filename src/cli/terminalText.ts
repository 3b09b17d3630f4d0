import { styleText } from 'node:util';

/**
 * Text from a user's file made safe to print on a terminal: control characters (escape sequences that
 * clear the screen, move the cursor or retitle the window; C1 controls; DEL) are shown as `\x1b`-style
 * escapes instead of acting. Newlines and tabs pass.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** What a stream says of itself; `process.stdout` is one (a `tty.WriteStream` when it is a terminal). */
export interface OutputStream {
  isTTY?: boolean;
  hasColors?: (count?: number) => boolean;
}

/**
 * Colour only on a terminal that takes it: none when piped or redirected, and none on a terminal when
 * NO_COLOR or NODE_DISABLE_COLORS is set or TERM is dumb (`tty.WriteStream.hasColors` reads those; FORCE_COLOR
 * too, on a terminal).
 */
export function wantsColour(stream: OutputStream): boolean {
  return stream.isTTY === true && stream.hasColors?.() === true;
}

export type Style = 'bold' | 'dim' | 'green' | 'red' | 'yellow';

/** Styles text when `enabled`, else returns it as it is: one switch, decided once per output. */
export function painter(enabled: boolean): (style: Style, text: string) => string {
  // validateStream: false — the caller decided for the stream it writes to (styleText would look at stdout).
  return enabled ? (style, text) => styleText(style, text, { validateStream: false }) : (_, text) => text;
}
