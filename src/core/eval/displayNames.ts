/** What a checkpoint is called in the report and on screen, whoever built it. */
export interface NamedCheckpoint {
  name: string;
  source: string;
  slot?: string;
}

/**
 * One name per checkpoint: its own name (a served model's URL or a path shortened to its last part), and
 * where two would clash, told apart — by slot letter in the page ("B: model"), else by as many trailing
 * parts of their paths as it takes ("epoch-1/model", "epoch-2/model"), else by position ("model (2)").
 */
export function displayNames(checkpoints: readonly NamedCheckpoint[]): string[] {
  const short = checkpoints.map(({ name }) => lastPart(name) || name);
  return short.map((name, i) => {
    const clashing = short.flatMap((other, j) => (other === name ? [j] : []));
    if (clashing.length === 1) return name;
    const { slot } = checkpoints[i];
    if (slot && clashing.every((j) => j === i || (checkpoints[j].slot !== undefined && checkpoints[j].slot !== slot))) return `${slot}: ${name}`;
    const parts = clashing.map((j) => checkpoints[j].source.split(/[\\/]+/).filter(Boolean));
    const mine = parts[clashing.indexOf(i)];
    for (let n = 2; n <= mine.length; n++) {
      const suffix = mine.slice(-n).join('/');
      if (parts.filter((p) => p.slice(-n).join('/') === suffix).length === 1) return suffix;
    }
    return `${name} (${clashing.indexOf(i) + 1})`;
  });
}

function lastPart(name: string): string {
  return name.split(/[\\/]+/).filter(Boolean).pop() ?? '';
}
