/** Figure 5: memory and accounting through a server outage, measured in a clean child process. */
import { fork } from 'node:child_process';
import { formatCount, formatMiB, formatNs, formatRatio, median, progress } from './measure.js';
import type { OutageResult } from './outage-child.js';
import { distFile } from './paths.js';
import type { Row } from './report.js';

const SLACK = 16 * 1024 * 1024;

function runChild(): Promise<OutageResult> {
  const child = fork(distFile('outage-child.js'), [], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: OutageResult | undefined;
    child.once('message', (message: OutageResult) => {
      result = message;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`the outage benchmark exited with code ${code} and no result`));
    });
  });
}

function isExact(run: OutageResult): boolean {
  return (
    run.enqueued === run.calls &&
    run.droppedOther === 0 &&
    run.droppedQueueFull === run.calls - run.queued &&
    run.delivered === run.queued
  );
}

export async function outageFigure(rounds: number): Promise<Row[]> {
  progress(`figure 5: outage, ${rounds} runs in fresh processes`);
  const runs: OutageResult[] = [];
  for (let i = 0; i < rounds; i++) {
    const run = await runChild();
    runs.push(run);
    progress(
      `outage: RSS +${formatMiB(run.peakRss - run.baselineRss)}, queued ${run.queued}, ` +
        `dropped ${run.droppedQueueFull}, delivered ${run.delivered}`,
    );
  }
  const first = runs[0] as OutageResult;
  const limit = first.maxQueueBytes + SLACK;
  const growth = median(runs.map((run) => run.peakRss - run.baselineRss));
  const worstGrowth = Math.max(...runs.map((run) => run.peakRss - run.baselineRss));
  const exact = runs.every(isExact);
  const delivered = runs.every((run) => run.delivered === run.queued);
  return [
    {
      figure: '5a',
      metric: `Outage: RSS growth over ${formatCount(first.calls)} calls, TCP server down`,
      ours: formatMiB(growth),
      rival: `bound ${formatMiB(limit)} (maxQueueBytes + 16 MiB)`,
      ratio: `${formatRatio(growth / limit)} of bound`,
      target: '≤ 1× of bound',
      met: worstGrowth <= limit,
      note:
        `peak RSS (sampled after every chunk, and the kernel's high-water mark) minus the RSS ` +
        `after warm-up and GC, in a fresh process; median ` +
        `of ${rounds} (worst ${formatMiB(worstGrowth)}). Cost per call while down: ` +
        `${formatNs(median(runs.map((run) => run.callNs)))}.`,
    },
    {
      figure: '5b',
      metric: 'Outage: drop count exact, backlog delivered',
      ours: `${formatCount(first.droppedQueueFull)} dropped, ${formatCount(first.delivered)} delivered`,
      rival: `${formatCount(first.calls)} calls, ${formatCount(first.queued)} queued`,
      ratio: `${runs.filter(isExact).length}/${runs.length} exact`,
      target: 'exact, all delivered',
      met: exact && delivered,
      note:
        `exact: enqueued = calls, dropped (queueFull) = calls − queued, nothing else dropped, ` +
        `and the sink received every queued metric once the server was back, in a median ` +
        `${formatNs(median(runs.map((run) => run.recoveryNs)))} (server up → last line received).`,
    },
  ];
}
