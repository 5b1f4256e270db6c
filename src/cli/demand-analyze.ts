/** `huiying demand analyze`: groups a file of messages (JSON lines, CSV, XLSX, text) into ranked demand topics. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DemandInputError, readDemandFile } from '../demand/demand-input.ts';
import { groupTopics } from '../demand/group-topics.ts';
import type { RankBy } from '../demand/topic-ranking.ts';
import type { Topic, TopicState } from '../demand/topic-types.ts';
import { loadKnowledgeBase } from '../knowledge/knowledge-loader.ts';

export interface AnalyzeOptions {
  input: string;
  json?: boolean;
  state?: string;
  kb?: string;
  top?: string;
  rank?: string;
}

/** Adds the `demand` command group (with `analyze`) to the program. */
export function registerDemandCommand(program: Command): void {
  const demand = program.command('demand').description('demand signals: what people ask that the bot cannot answer');
  demand
    .command('analyze')
    .description('group a file of messages (JSON lines {"text","time","channel"}, CSV/XLSX with a text column, or plain text) into topics')
    .requiredOption('--input <file>', 'messages: .jsonl, .json, .csv, .tsv, .xlsx or .txt')
    .option('--json', 'print one JSON object {"topics": [...]} (members are 0-based line numbers of the input)')
    .option('--state <file>', 'topic state: read to keep ids of earlier runs, written after this run')
    .option('--kb <dir>', 'knowledge folder: maps candidate entries to departments')
    .option('--top <n>', 'topics to print (text output)', '30')
    .option('--rank <by>', 'trend (this week × growth), size or growth')
    .action(async (opts: AnalyzeOptions) => {
      try {
        console.log(await analyzeDemand(opts));
      } catch (err) {
        if (!(err instanceof DemandInputError)) throw err;
        console.error(err.message);
        process.exitCode = 1;
      }
    });
}

/** Runs the analysis and returns what the command prints. */
export async function analyzeDemand(opts: AnalyzeOptions): Promise<string> {
  const input = await readDemandFile(opts.input);
  if (input.messages.length === 0) throw new DemandInputError(opts.input, undefined, 'no messages found');
  const previous = opts.state && existsSync(opts.state) ? readState(opts.state) : undefined;
  const departmentOf = opts.kb ? departmentLookup(opts.kb) : undefined;
  const rankBy = parseRank(opts.rank);
  const started = performance.now();
  const result = groupTopics(input.messages, { previous, departmentOf, rankBy });
  const ms = performance.now() - started;
  if (opts.state) writeFileSync(opts.state, JSON.stringify(result.state));
  const line = (i: number): number => input.lines[i]!;
  if (opts.json) {
    return JSON.stringify({
      topics: result.topics.map((t) => ({ ...t, members: t.members.map(line) })),
      unassigned: result.noise.map(line),
    });
  }
  const top = Math.max(1, Number(opts.top ?? 30) || 30);
  const placed = result.topics.reduce((n, t) => n + t.size, 0);
  const out = [
    `${opts.input}: ${input.messages.length} messages${input.textColumn ? ` (text column: ${input.textColumn})` : ''}, ` +
      `${result.topics.length} topics holding ${placed}, ${result.noise.length} one-offs left out (${(ms / 1000).toFixed(1)} s)`,
    '',
  ];
  result.topics.slice(0, top).forEach((t, i) => out.push(...formatTopic(t, i + 1, line)));
  if (result.topics.length > top) out.push(`… ${result.topics.length - top} more topics (--top, or --json for all)`);
  return out.join('\n');
}

function formatTopic(t: Topic, rank: number, line: (i: number) => number): string[] {
  const date = (d: Date | null): string => (d ? d.toISOString().slice(0, 10) : '-');
  const trend = t.firstSeen ? `  this week ${t.thisWeek} (previous ${t.previousWeeklyAverage.toFixed(1)}/week, ×${t.growth.toFixed(1)})` : '';
  const lines = [
    `${rank}. ${t.label}  [${t.id}]  ${t.kind}  ${t.size} messages${trend}`,
    `   keywords: ${t.keywords.join(', ')}`,
  ];
  if (t.firstSeen) lines.push(`   seen ${date(t.firstSeen)} … ${date(t.lastSeen)}`);
  if (t.channels.length) lines.push(`   channels: ${t.channels.map((c) => `${c.channel} ${c.count}`).join(', ')}`);
  if (t.departments.length) lines.push(`   departments: ${t.departments.map((d) => `${d.department} ${Math.round(d.share * 100)}%`).join(', ')}`);
  for (const r of t.representatives) lines.push(`   - ${r}`);
  lines.push(`   lines: ${t.members.slice(0, 12).map(line).join(', ')}${t.members.length > 12 ? ', …' : ''}`, '');
  return lines;
}

function parseRank(value: string | undefined): RankBy | undefined {
  if (value === undefined) return undefined;
  if (value === 'trend' || value === 'size' || value === 'growth') return value;
  throw new DemandInputError('--rank', undefined, `unknown ranking "${value}" (trend, size or growth)`);
}

function readState(file: string): TopicState {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DemandInputError(file, undefined, `not a topic state file (${(e as Error).message})`);
  }
  const state = value as Partial<TopicState>;
  if (state.version !== 1 || !Array.isArray(state.topics)) throw new DemandInputError(file, undefined, 'not a topic state file (written by --state)');
  return state as TopicState;
}

function departmentLookup(dir: string): (entryId: string) => string | undefined {
  const kb = loadKnowledgeBase(dir);
  const byEntry = new Map(kb.entries.map((e) => [e.id, e.department]));
  return (id) => byEntry.get(id);
}
