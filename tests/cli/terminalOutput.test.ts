import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatReportTable, formatSweepTable } from '../../src/cli/printReport.ts';
import { renderMarkdown } from '../../src/core/report/markdown.ts';
import { wantsColour } from '../../src/cli/terminalText.ts';
import { syntheticReport } from '../fixtures/reportCase.ts';
import { marginalGainReport, methodsDisagreeReport } from '../fixtures/statisticsCase.ts';
import { ROOT } from '../paths.ts';
import { embedlab } from './runCli.ts';

const SAMPLE = path.join(ROOT, 'public/samples/helpdesk-faq.csv');
const SGR = /\x1b\[\d+m/g;
const row = (text: string, metric: string) => text.split(/\r?\n/).find((line) => line.replace(SGR, '').startsWith(`${metric} `))!;

describe('the terminal table', () => {
  it('leads with the verdict the Markdown has, then the raw p beside the Holm p and the interval that agrees with it', () => {
    const report = marginalGainReport();
    const text = formatReportTable(report);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^tuned vs base: ndcg@10 \+0\.0212 \(\+\d\.\d %\), not significant \(p 0\.02\d, p \(Holm\) 0\.1\d\d\); 0 of 6 metrics significantly up, 0 down\.$/);
    expect(text).toMatch(/^metric\s+A\s+B\s+Δ B−A\s+CI\(Holm\)\s+p\s+p\(Holm\)\s+W\/T\/L$/m);
    const s = report.comparisons[0].metrics['ndcg@10'];
    // The unadjusted 95 % interval excludes 0 and is not what the row shows: the Holm one, which includes 0.
    expect(s.ci95[0]).toBeGreaterThan(0);
    expect(row(text, 'ndcg@10')).toMatch(new RegExp(`\\+0\\.0212\\s+\\[-${Math.abs(s.ciHolm[0]).toFixed(4)}, \\+${s.ciHolm[1].toFixed(4)}\\]  \\s*${s.p.toFixed(3)}\\s+${s.pHolm.toFixed(3)}\\s+25/0/15$`));
    expect(text).toMatch(/^\* significant at 5 % after Holm over 6 metrics \(p\(Holm\) < 0\.05\); p: raw, paired randomization, 10000 permutations\.$/m);
    expect(text).toMatch(/^CI\(Holm\): bootstrap, 10000 resamples, at the level of the Holm step that decided the metric \(99\.2 % to 95 %\): it leaves 0 out when the metric is significant; --json has the unadjusted 95 % \(ci95\) and Bonferroni \(ciBonferroni\) intervals\. seed 5\.$/m);
    expect(text).not.toContain('†');
    expect(text).not.toMatch(/\x1b/);
  });

  it('marks a row where the bootstrap interval and the randomization test part, and says why', () => {
    const text = formatReportTable(methodsDisagreeReport());
    expect(row(text, 'ndcg@10')).toContain('[+0.2000, +0.2000]†');
    expect(text).toMatch(/^† ndcg@10 \(tuned − base\): the bootstrap interval leaves out 0 while the randomization test does not find a change: two methods that part at the margin \(mostly when few queries differ\); significance follows the test\.$/m);
  });

  it('prints no significance legend and no verdict when there is nothing to compare', () => {
    const { report } = syntheticReport();
    const text = formatReportTable({ ...report, models: report.models.slice(0, 1), comparisons: [] });
    expect(text.split('\n')[0]).toMatch(/^synthetic: 40 queries/);
    expect(text).not.toMatch(/significant|Holm|seed|permutations/);
    expect(text).toMatch(/^metric\s+A$/m);
  });

  it('colours when asked, keeps columns aligned, and never lets a name from a file write an escape sequence', () => {
    const { report } = syntheticReport();
    const hostile = structuredClone(report);
    hostile.models[1].name = 'tuned\x1b[2J';
    hostile.comparisons[0].b = 'tuned\x1b[2J';
    const plain = formatReportTable(hostile);
    const coloured = formatReportTable(hostile, { colour: true });
    expect(coloured).toMatch(/\x1b\[32m\+0\.206\d \*\x1b\[39m/);
    expect(coloured).toMatch(/^\x1b\[1mtuned\\x1b\[2J vs base: ndcg@10 .*\x1b\[32msignificantly better\x1b\[39m/);
    // Without the colour codes it is the plain text, letter for letter: colour never shifts a column.
    expect(coloured.replace(SGR, '')).toBe(plain);
    expect(coloured.replace(SGR, '')).not.toMatch(/\x1b/);
    expect(plain).toContain('tuned\\x1b[2J');
  });

  it('gives the compression sweep the same interval and both p-values, in the terminal and the Markdown', () => {
    const report = marginalGainReport();
    const comparison = report.comparisons[0].metrics;
    report.sweep = [{ model: 'tuned', dims: 64, precision: 'int8', rescore: null, weights: 'fp32', bytesPerVector: 64, indexBytes: 2560, queryMs: 0.5, metrics: report.models[1].metrics, comparison }];
    const s = comparison['ndcg@10'];
    const interval = `[−${Math.abs(s.ciHolm[0]).toFixed(4)}, +${s.ciHolm[1].toFixed(4)}]`;
    const terminal = formatSweepTable(report);
    expect(terminal).toMatch(/Δ vs full float32\s+CI\(Holm\)\s+p\s+p\(Holm\)/);
    expect(terminal).toContain(`${interval.replace('−', '-')}  ${s.p.toFixed(3)}    ${s.pHolm.toFixed(3)}`);
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('| Δ | CI (Holm) | p | p (Holm) | |');
    expect(markdown).toContain(`| ${interval} | ${s.p.toFixed(3)} | ${s.pHolm.toFixed(3)} |`);
  });

  it('wants colour only on a terminal that takes it', () => {
    expect(wantsColour({ isTTY: true, hasColors: () => true })).toBe(true);
    expect(wantsColour({ isTTY: true, hasColors: () => false })).toBe(false);
    expect(wantsColour({ isTTY: undefined })).toBe(false);
  });
});

describe('embedlab eval on a terminal and through a pipe', () => {
  let args: string[];
  beforeAll(async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'embedlab-terminal-'));
    // A run that ranks each query's own answer first for odd queries, third for even ones (pairs: qk → dk).
    const lines = Array.from({ length: 32 }, (_, q) => {
      const own = `d${q + 1}`;
      const others = [1, 2].map((k) => `d${((q + k) % 32) + 1}`);
      const list = q % 2 === 0 ? [own, ...others] : [...others, own];
      return list.map((doc, rank) => `q${q + 1} Q0 ${doc} ${rank + 1} ${3 - rank} half`).join('\n');
    });
    const run = path.join(folder, 'half.run');
    await writeFile(run, `${lines.join('\n')}\n`);
    args = ['eval', SAMPLE, '--bm25', '--run', `half=${run}`, '--no-diagnostics', '--no-cache'];
  });

  it('writes no colour when piped, and leads with the verdict', async () => {
    const result = await embedlab(args);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/\x1b/);
    expect(result.stdout.split('\n')[0]).toMatch(/^half vs bm25: ndcg@10 [+−]0\.\d{4} \([+−]\d+\.\d %\), (significantly (better|worse)|not significant) \(p [<\d. ]+, p \(Holm\) [<\d. ]+\); \d+ of 16 metrics significantly up, \d+ down\.$/);
    expect(result.stdout).toMatch(/CI\(Holm\)\s+p\s+p\(Holm\)/);
  }, 120_000);

  // `script` gives the CLI a pseudo-terminal, as a user's shell does.
  const onTerminal = async (env: NodeJS.ProcessEnv) => {
    const command = [process.execPath, path.join(ROOT, 'bin/embedlab.mjs'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, CI: undefined, TERM: 'xterm-256color', ...env }, maxBuffer: 64 << 20 });
    return stdout;
  };

  it('colours on a terminal, and not when NO_COLOR is set', async () => {
    const coloured = await onTerminal({});
    expect(coloured).toMatch(/\x1b\[1mhalf vs bm25: ndcg@10/);
    const uncoloured = await onTerminal({ NO_COLOR: '1' });
    expect(uncoloured).toMatch(/^half vs bm25: ndcg@10/m);
    // The result lines carry no SGR colour code (the progress line on stderr may clear itself: not colour).
    expect(uncoloured).not.toMatch(/\x1b\[(1|2|3[0-9])m/);
  }, 120_000);

  it('prints no significance legend for one checkpoint', async () => {
    const result = await embedlab(['eval', SAMPLE, '--bm25', '--no-diagnostics', '--no-cache']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^metric\s+A$/m);
    expect(result.stdout).not.toMatch(/significant|Holm|permutations/);
  }, 120_000);
});
