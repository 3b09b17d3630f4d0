/**
 * Text from a user's file made safe to print on a terminal: control characters (escape sequences that
 * clear the screen, move the cursor or retitle the window; C1 controls; DEL) are shown as `\x1b`-style
 * escapes instead of acting. Newlines and tabs pass.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
