import { DataError, formatLocation } from '../../core/data/dataset.ts';
import { summarizeLoad } from '../../core/data/summary.ts';
import { UsageError } from '../cliError.ts';
import { defineCommand, defineOptions } from '../command.ts';
import { choice } from '../optionValues.ts';
import { readInputs } from '../readDataset.ts';
import { terminalSafe } from '../terminalText.ts';

export const inspectCommand = defineCommand({
  name: 'inspect',
  summary: 'Read a dataset as the page would and report its format, columns, counts and every problem.',
  usage: 'inspect <file|folder> [more files] [--json]',
  options: defineOptions({
    json: { type: 'boolean', default: false, help: 'print the summary as JSON' },
    // No parser default: the dataset reader picks test when the folder has it, else the split it has.
    split: { type: 'string', defaultText: 'test, else the first the folder has', help: 'qrels split of a BEIR folder' },
    'label-column': { type: 'string', help: 'the column holding labels/domains (pairs and triplets files)' },
    'unknown-ids': { type: 'string', default: 'ignore', value: choice(['ignore', 'fail']), help: 'judgments naming unknown ids: ignore counts and skips them (as trec_eval), fail reports each as an error' },
    help: { type: 'boolean', default: false, help: 'show this help' },
  }),
  async run(values, positionals) {
    if (positionals.length === 0) throw new UsageError('inspect: name a file or folder, e.g. embedlab inspect BankFAQs.csv');
    const unknownIds = values['unknown-ids'];
    let result;
    try {
      result = await readInputs(positionals, { split: values.split, unknownIds, labelColumn: values['label-column'] });
    } catch (error) {
      // With --json, a path that cannot be read is still a JSON answer (usable: false and the issue).
      if (!(error instanceof DataError) || !values.json) throw error;
      process.stdout.write(`${JSON.stringify({ usable: false, issues: [{ severity: 'error', ...error.issue }] }, null, 2)}\n`);
      return 2;
    }
    const summary = summarizeLoad(result);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      const lines = [`format: ${summary.description ?? summary.format ?? 'not recognised'}`];
      if (summary.mapping) lines.push(`columns: ${Object.entries(summary.mapping).map(([role, column]) => `${role} = ${column}`).join(', ')}`);
      if (summary.splits.length) lines.push(`splits: ${summary.splits.join(', ')}`);
      if (summary.counts) {
        const c = summary.counts;
        if (c.rows !== null) lines.push(`rows: ${c.rows}`);
        lines.push(`queries: ${c.queries}`, `documents: ${c.documents}`, `judgments: ${c.judgments} (${c.relevantJudgments} relevant)`, `labels: ${c.labels}`, `triplets: ${c.triplets}`);
      }
      for (const issue of summary.issues) lines.push(`${issue.severity}: ${formatLocation(issue)}${issue.message}`);
      for (const check of summary.hygiene) {
        lines.push(`hygiene: ${check.count} ${check.title}${check.count ? ` — ${check.why}` : ''}`);
        for (const example of check.examples) lines.push(`  e.g. ${example}`);
      }
      lines.push(summary.usable ? 'usable: yes' : 'usable: no');
      process.stdout.write(`${terminalSafe(lines.join('\n'))}\n`);
    }
    return summary.usable ? 0 : 2;
  },
});
