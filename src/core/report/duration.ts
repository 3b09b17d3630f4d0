/**
 * A span of time in words, as the page's run panel and the CLI's progress line both show it: "42 s",
 * "3 min 05 s", "1 h 02 min". Seconds are rounded up, so what is left never reads "0 s" while a part remains;
 * the shown units come from that whole number of seconds, so 119.6 s is "2 min 00 s", never "1 min 60 s".
 */
export function duration(seconds: number | undefined): string {
  // No estimate yet (no pace to go by), or one that makes no sense.
  if (seconds === undefined || !Number.isFinite(seconds)) return '…';
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${twoDigits(whole % 60)} s`;
  return `${Math.floor(whole / 3600)} h ${twoDigits(Math.floor((whole % 3600) / 60))} min`;
}

const twoDigits = (n: number) => String(n).padStart(2, '0');
