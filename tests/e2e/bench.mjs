// Browser benchmarks (performance issue): the release build (dist/) in headless Chromium,
// driven by Playwright. Prints one JSON object per line, as `kafka-playground bench --json`:
// {"name", "value", "unit", "target", "met", "detail"}.
//
//   bundle_gzip_bytes             wasm + JS + CSS of dist/, gzipped (level 9)
//   first_render_ms               navigation start to the stage's first broker drawn
//   ui_frame_p95_default          p95 frame interval, default scenario playing at 1x, 10 s
//   ui_frame_p95_busy             the same with a busy cluster (messages in flight reported)
//   ui_longest_task_fast_forward  longest main-thread task while fast-forwarding a day (clicked
//                                 once the page has settled; clicked at load in its detail)
//   engine_throughput_wasm        the engine_throughput workload in WebAssembly (`?bench`)
//
// E2E_DIST serves another build. BENCH_SECONDS shortens the 10 s windows (smoke test).
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('../../', import.meta.url).pathname;
const dist = process.env.E2E_DIST || join(root, 'dist');
const seconds = Number(process.env.BENCH_SECONDS || 10);
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };

const figure = (name, value, unit, target, better, detail = {}, slack = 0) => {
  const met = better === 'lower' ? value <= target + slack : value >= target - slack;
  console.log(JSON.stringify({ name, value, unit, target, met, detail }));
};

// ---- bundle size ----
let raw = 0, gz = 0;
const files = {};
for (const f of await readdir(dist)) {
  if (!/\.(wasm|js|css)$/.test(f)) continue;
  const body = await readFile(join(dist, f));
  const z = gzipSync(body, { level: 9 }).length;
  raw += body.length; gz += z; files[f] = { raw: body.length, gzip: z };
}
figure('bundle_gzip_bytes', gz, 'bytes', 350 * 1024, 'lower', { raw_bytes: raw, files });

const server = createServer(async (req, res) => {
  let p = new URL(req.url, 'http://x').pathname;
  if (p === '/') p = '/index.html';
  try { res.writeHead(200, { 'content-type': types[extname(p)] || 'application/octet-stream' }).end(await readFile(join(dist, p))); } catch { res.writeHead(404).end(); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });

const SPEEDS = [0.01, 0.05, 0.25, 1, 10, 100, 1000, 10000, 60000];
const setSpeed = (page, speed) => page.$eval('.controls .speed input[type=range]', (el, i) => {
  el.value = String(i);
  el.dispatchEvent(new Event('input', { bubbles: true }));
}, SPEEDS.indexOf(speed));
const typeLine = async (page, line) => {
  await page.fill('.terminal .prompt input', line);
  await page.press('.terminal .prompt input', 'Enter');
};
// Many commands, `per` to a typed line (the terminal runs commands separated by `;` in order).
// Each typed line costs Playwright a few round trips to a renderer whose frames are slow while
// the world runs: one line per command made the busy setup's 1,090 lines take 14-16 minutes.
const typeLines = async (page, lines, per = 30) => {
  for (let i = 0; i < lines.length; i += per) await typeLine(page, lines.slice(i, i + per).join('; '));
};
// Frame intervals (requestAnimationFrame) over `s` seconds, and the messages drawn meanwhile
// (circles, or a busy stage's canvas, which says how many dots it painted).
const frames = (page, s) => page.evaluate((ms) => new Promise((done) => {
  const dotsDrawn = () => document.querySelectorAll('circle.msg').length
    + Number(document.querySelector('.messages-canvas canvas')?.dataset.dots || 0);
  const ts = []; const inFlight = [];
  const tick = (t) => {
    ts.push(t); inFlight.push(dotsDrawn());
    if (t - ts[0] < ms) requestAnimationFrame(tick); else done({ ts, inFlight });
  };
  requestAnimationFrame(tick);
}), s * 1000);
const p95 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]; };
// The targets are whole display frames (16.7 ms = 60 fps, 33 ms = 30 fps), and frame
// timestamps of a steady 60 Hz display wander by a few tenths of a millisecond: a p95 of
// 16.8 ms is every frame on time, so the comparison allows that much.
const VSYNC_JITTER_MS = 0.5;
const frameFigure = (name, target, { ts, inFlight }) => {
  const gaps = ts.slice(1).map((t, i) => t - ts[i]);
  figure(name, Math.round(p95(gaps) * 10) / 10, 'ms', target, 'lower', {
    frames: gaps.length, mean_ms: Math.round(gaps.reduce((a, b) => a + b, 0) / gaps.length * 10) / 10,
    max_ms: Math.round(Math.max(...gaps) * 10) / 10, messages_in_flight_max: Math.max(...inFlight),
    messages_in_flight_mean: Math.round(inFlight.reduce((a, b) => a + b, 0) / inFlight.length),
  }, VSYNC_JITTER_MS);
};

// ---- first render ----
{
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(base + '?reset', { waitUntil: 'commit' });
  await page.waitForFunction(() => document.querySelector('svg.stage g.broker'), null, { polling: 'raf', timeout: 30000 });
  const ms = await page.evaluate(() => performance.now());
  figure('first_render_ms', Math.round(ms), 'ms', 1000, 'lower', { viewport: '1440x900' });

  // ---- default scenario at 1x ----
  await setSpeed(page, 1);
  await page.waitForTimeout(1000);
  frameFigure('ui_frame_p95_default', 16.7, await frames(page, seconds));

  // ---- busy: many producers on slow links keep hundreds of messages in flight ----
  // (Each producer keeps a request or its response on the wire to some of the 3 brokers:
  // 270 producers, the consumers' and followers' fetches keep ~500 messages in flight on
  // average, as the performance issue asks; 80 producers made ~160.)
  const producers = Number(process.env.BENCH_PRODUCERS || 270);
  await typeLine(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic busy --partitions 12 --replication-factor 3');
  for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) await typeLine(page, `network latency ${a} ${b} 300ms`);
  const ids = [...Array(producers).keys()];
  await typeLines(page, ids.map((i) => `producer start --topic busy --rate 50/s --acks all --name busy-${i}`));
  await typeLines(page, [0, 1, 2, 3, 4, 5].map((i) => `consumer start --topic busy --group busy-group --name busy-c${i}`));
  await typeLines(page, ids.flatMap((i) => [0, 1, 2].map((b) => `network latency busy-${i} ${b} 300ms`)));
  await page.waitForTimeout(3000);
  frameFigure('ui_frame_p95_busy', 33, await frames(page, seconds));
  await page.close();
}

// ---- fast-forward a simulated day ----
// Clicked once the page has settled, a second after the stage is drawn (as the frame figures
// wait). In the page's first half second the browser is still compiling and optimising its
// code on its other threads: on two cores, a fast-forward clicked as the stage appears made one
// long task (50-70 ms, in its first second) in about a third of the runs, and none in 16 runs
// clicked 0.7 s or more later (docs/performance.md, session 34). That case is reported beside
// the figure: the longest task in the first 3 s of a fast-forward clicked as the stage appears.
const watchLongTasks = (page) => page.evaluate(() => {
  window.__longest = 0; window.__tasks = 0;
  new PerformanceObserver((l) => { for (const e of l.getEntries()) { window.__tasks++; window.__longest = Math.max(window.__longest, e.duration); } })
    .observe({ type: 'longtask', buffered: false });
});
const longTasks = (page) => page.evaluate(() => ({ longest: Math.round(window.__longest), tasks: window.__tasks }));
const openDefault = async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(base + '?reset', { waitUntil: 'load' });
  await page.waitForSelector('svg.stage g.broker');
  return page;
};
let atLoad;
{
  const page = await openDefault();
  await watchLongTasks(page);
  await page.click('button.ff-day');
  await page.waitForTimeout(3000);
  const { longest, tasks } = await longTasks(page);
  atLoad = { longest_ms: longest, long_tasks: tasks };
  await page.close();
}
{
  const page = await openDefault();
  await page.waitForTimeout(1000);
  await watchLongTasks(page);
  const start = Date.now();
  await page.click('button.ff-day');
  // Done when the clock shows the day and the world has stopped (the button may not yet read
  // "Stop" right after the click, so "not Stop" alone can end the wait before it began).
  await page.waitForFunction(() => /\b[1-9]\d*d\b/.test(document.querySelector('.controls .clock')?.textContent ?? '')
    && document.querySelector('button.play')?.textContent.trim() !== 'Stop', null, { timeout: 600000, polling: 500 });
  const wall = (Date.now() - start) / 1000;
  const { longest, tasks } = await longTasks(page);
  const clock = await page.$eval('.controls .clock', (e) => e.textContent);
  figure('ui_longest_task_fast_forward', longest, 'ms', 50, 'lower', { long_tasks: tasks, wall_s: wall, reached: clock, clicked_at_load_first_3_s: atLoad });
  await page.close();
}

// ---- the engine in WebAssembly: `?bench` runs engine_throughput in the page ----
// Held to 0.6 x the native figure of the same machine, read from target/bench-native.jsonl
// (`make bench` writes it first); without it the figure is printed with no target.
{
  const page = await browser.newPage();
  await page.goto(base + (process.env.BENCH_SECONDS ? '?bench=tiny' : '?bench'), { waitUntil: 'commit' });
  await page.waitForSelector('#bench-output[data-done]', { timeout: 900000 });
  const wasm = JSON.parse((await page.textContent('#bench-output')).split('\n')[0]);
  let native;
  try {
    native = (await readFile(join(root, 'target/bench-native.jsonl'), 'utf8')).split('\n')
      .filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((f) => f.name === 'engine_throughput');
  } catch { native = undefined; }
  if (wasm.error) throw new Error(`engine_throughput_wasm: ${wasm.error}`);
  const detail = { ...wasm.detail, native_records_per_s: native?.value ?? null, ratio_to_native: native ? Math.round(wasm.value / native.value * 100) / 100 : null };
  if (native) figure('engine_throughput_wasm', Math.round(wasm.value), 'records/s', Math.round(0.6 * native.value), 'higher', detail);
  else console.log(JSON.stringify({ name: 'engine_throughput_wasm', value: Math.round(wasm.value), unit: 'records/s', target: null, met: null, detail }));
  await page.close();
}

await browser.close();
server.close();
