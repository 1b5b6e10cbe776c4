// End-to-end tests: the release build (dist/) served on 127.0.0.1 under a sub-path, driven by
// Playwright in Debian's Chromium. Screenshots go to target/e2e/.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
// E2E_DIST serves another build (a helper's own trunk --dist); default: the repo's dist/.
const dist = process.env.E2E_DIST || join(root, 'dist');
const out = join(root, 'target', 'e2e');
const SUBPATH = '/tutorial/kafka/';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };

// A plain static server: dist/ mounted under a sub-path, as a tutorial site would host it.
function serve() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!path.startsWith(SUBPATH)) { res.writeHead(404).end(); return; }
    let rel = path.slice(SUBPATH.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    rel = normalize(rel).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(dist, rel));
      res.writeHead(200, { 'content-type': types[extname(rel)] || 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
// Known failures, kept visible (printed as "skip") until fixed; see the UI issue's notes.
const skipped = [];
const knownFailure = (name, reason) => skipped.push({ name, reason });

test('page loads without console errors and shows the title, stage and version', async (page, base) => {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('svg.stage', { timeout: 15000 });
  const title = await page.textContent('h1');
  if (title !== 'Kafka Playground') throw new Error(`title was ${JSON.stringify(title)}`);
  const footer = await page.textContent('footer');
  if (!/\d+\.\d+\.\d+/.test(footer)) throw new Error(`footer has no version: ${footer}`);
  const box = await page.locator('svg.stage').boundingBox();
  if (!box || box.width < 300 || box.height < 150) throw new Error(`stage too small: ${JSON.stringify(box)}`);
  await page.screenshot({ path: join(out, 'home.png') });
  if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
});

test('page safety: a strict Content-Security-Policy (no eval) and markup in records shown as text', async (page, base) => {
  const refused = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text()); });
  page.on('pageerror', (e) => refused.push(String(e)));
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('svg.stage', { timeout: 15000 });
  const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  const scriptSrc = (/script-src ([^;]*)/.exec(csp) || [])[1] || '';
  if (!scriptSrc.includes("'self'") || !scriptSrc.includes("'wasm-unsafe-eval'") || /'unsafe-eval'|'unsafe-inline'|\*/.test(scriptSrc)) throw new Error(`policy: ${csp}`);
  const input = page.locator('.terminal input');
  const run = async (line, expect) => {
    await input.fill(line);
    await input.press('Enter');
    await page.waitForFunction((t) => document.querySelector('.terminal .scrollback')?.textContent.includes(t), expect, { timeout: 10000 });
  };
  const unicode = 'ẞ𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ‮reversed‬ 日本語 '.repeat(40);
  await run('kafka-topics --bootstrap-server localhost:9092 --create --topic unsafe --partitions 1 --replication-factor 1', 'Created topic unsafe.');
  await run(`printf '<img src=x onerror=window.__xss=1>|<script>window.__xss=2</script>\\nk|${unicode}\\n' | kafka-console-producer --bootstrap-server localhost:9092 --topic unsafe --property parse.key=true --property 'key.separator=|'`, '$ printf');
  await run('kafka-console-consumer --bootstrap-server localhost:9092 --topic unsafe --from-beginning --max-messages 2 --property print.key=true', 'Processed a total of 2 messages');
  const text = await page.textContent('.terminal .scrollback');
  if (!text.includes('<img src=x onerror=window.__xss=1>\t<script>window.__xss=2</script>')) throw new Error('the record is not shown literally');
  if (!text.includes(unicode.trim())) throw new Error('the Unicode value is not shown whole');
  // Open the partition's leader replica: the inspector lists the records.
  await page.locator('g.replica.leader', { hasText: 'unsafe' }).first().click().catch(() => {});
  await page.waitForTimeout(300);
  const injected = await page.evaluate(() => ({ xss: window.__xss, imgs: document.querySelectorAll('img[src="x"]').length, scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__xss')).length }));
  if (injected.xss !== undefined || injected.imgs || injected.scripts) throw new Error(`markup was interpreted: ${JSON.stringify(injected)}`);
  await page.screenshot({ path: join(out, 'safety.png') });
  if (refused.length) throw new Error(`policy violations or errors: ${refused.join(' | ')}`);
  // The policy holds: an injected inline script and a string timer (eval) are refused.
  const probe = await page.evaluate(async () => {
    const seen = [];
    document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective));
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.head.appendChild(s);
    setTimeout('window.__timer = 1', 0);
    await new Promise((r) => setTimeout(r, 200));
    return { inline: window.__inline, timer: window.__timer, seen };
  });
  if (probe.inline !== undefined || probe.timer !== undefined || probe.seen.filter((d) => d.startsWith('script-src')).length < 2) throw new Error(`the policy let scripts run: ${JSON.stringify(probe)}`);
});

test('an internal error shows a readable panel; reload keeps the last scenario, reset starts over', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  const input = page.locator('.terminal input');
  await input.waitFor();
  await input.fill('kafka-topics --bootstrap-server localhost:9092 --create --topic kept --partitions 1 --replication-factor 1');
  await input.press('Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('g.replica')].some((r) => (r.getAttribute('aria-label') || '').startsWith('kept-0')), null, { timeout: 10000 });
  const panicNow = () => page.evaluate(() => { try { window.wasmBindings.selfTestPanic(); } catch (e) { return String(e); } return 'no error'; });
  const thrown = await panicNow();
  await page.waitForSelector('.panic[role=alert]', { timeout: 5000 }).catch(() => { throw new Error(`no error panel; the call gave: ${thrown}`); });
  const text = await page.textContent('.panic');
  if (!text.includes('internal error') || !text.includes('deliberate panic')) throw new Error(`panel: ${text}`);
  await page.screenshot({ path: join(out, 'panic.png') });
  await page.click('.panic a >> nth=0');
  await page.waitForSelector('svg.stage', { timeout: 15000 });
  await page.waitForFunction(() => [...document.querySelectorAll('g.replica')].some((r) => (r.getAttribute('aria-label') || '').startsWith('kept-0')), null, { timeout: 10000 });
  await panicNow();
  await page.waitForSelector('.panic[role=alert]', { timeout: 5000 });
  await page.click('.panic a >> nth=1');
  await page.waitForSelector('svg.stage', { timeout: 15000 });
  await page.waitForTimeout(500);
  if (page.url().includes('reset')) throw new Error(`the address keeps ?reset: ${page.url()}`);
  const kept = await page.$$eval('g.replica', (rs) => rs.filter((r) => (r.getAttribute('aria-label') || '').startsWith('kept-0')).length);
  if (kept) throw new Error('start over kept the old scenario');
  if (await page.locator('g.replica').count() !== 9) throw new Error('not the default scenario');
});

test('language switch shows Bahasa Indonesia', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('button.lang');
  await page.click('button.lang');
  const tagline = await page.textContent('.tagline');
  if (!tagline.includes('disimulasikan')) throw new Error(`tagline: ${tagline}`);
  await page.screenshot({ path: join(out, 'home-id.png') });
});

test('the default scenario plays: brokers show replicas and message dots move', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('g.broker');
  const brokers = await page.locator('g.broker').count();
  if (brokers !== 3) throw new Error(`expected 3 brokers, saw ${brokers}`);
  await page.waitForSelector('circle.msg', { timeout: 10000 });
  const positions = async () => page.$$eval('circle.msg', (cs) => cs.map((c) => `${c.getAttribute('cx')},${c.getAttribute('cy')}`).join(' '));
  const a = await positions();
  await page.waitForTimeout(300);
  const b = await positions();
  if (a === b) throw new Error('message dots did not move');
  // The group forms and both consumers get partitions.
  await page.waitForFunction(() => document.querySelector('g.group text')?.textContent.includes('Stable'), null, { timeout: 20000 });
  const replicas = await page.locator('g.replica').count();
  if (replicas !== 9) throw new Error(`expected 3 partitions x 3 replicas, saw ${replicas}`);
  await page.screenshot({ path: join(out, 'default-scenario.png') });
});

test('the terminal runs kafka-topics --describe against the page\'s cluster', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  const input = page.locator('.terminal input');
  await input.waitFor();
  await input.fill('kafka-topics --bootstrap-server localhost:9092 --describe --topic orders');
  await input.press('Enter');
  await page.waitForFunction(() => document.querySelector('.terminal .scrollback')?.textContent.includes('PartitionCount: 3'), null, { timeout: 10000 });
  const text = await page.textContent('.terminal .scrollback');
  if (!/Topic: orders\tPartition: 0\tLeader: \d\tReplicas: \d,\d,\d\tIsr: /.test(text)) throw new Error(`describe output: ${text}`);
  await input.fill('kafka-topics --bootstrap-server localhost:9092 --create --topic payments --partitions 2 --replication-factor 3');
  await input.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('g.replica').length === 15, null, { timeout: 10000 });
  await page.screenshot({ path: join(out, 'terminal.png') });
});


// ---- Inspector, forms, event log, keyboard, layout ----

const groupTitle = (page) => page.textContent('g.group-pick text');
const generation = (title) => Number((/(?:generation|generasi) (\d+)/.exec(title) || [])[1]);
const SPEEDS = [0.01, 0.05, 0.25, 1, 10, 100, 1000, 10000, 60000];
const setSpeed = (page, speed) => page.$eval('.controls .speed input[type=range]', (el, i) => {
  el.value = String(i);
  el.dispatchEvent(new Event('input', { bubbles: true }));
}, SPEEDS.indexOf(speed));
const pause = async (page) => {
  if ((await page.textContent('button.play')).trim() !== 'Play') await page.click('button.play');
};

test('adding a consumer via the form shows a rebalance and a new assignment', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('g.group-pick text')?.textContent.includes('Stable'), null, { timeout: 20000 });
  const before = generation(await groupTitle(page));
  if (!(before >= 1)) throw new Error(`no generation in ${await groupTitle(page)}`);
  await page.fill('form.add-consumer input[name=group]', 'orders-app');
  await page.selectOption('form.add-consumer select#consumer-topic', 'orders');
  await page.selectOption('form.add-consumer select[name=strategy]', 'range');
  await page.click('form.add-consumer button[type=submit]');
  await page.waitForFunction(() => document.querySelector('.notice.ok')?.textContent.includes('Started consumer'), null, { timeout: 5000 });
  await page.waitForFunction(() => document.querySelectorAll('g.member').length === 3, null, { timeout: 5000 });
  await page.waitForFunction((g) => {
    const t = document.querySelector('g.group-pick text')?.textContent || '';
    const n = Number((/generation (\d+)/.exec(t) || [])[1]);
    return t.includes('Stable') && n > g;
  }, before, { timeout: 30000 });
  // Three consumers, three partitions (range): once the members have their SyncGroup answers,
  // every member owns exactly one partition.
  const oneEach = () => [...document.querySelectorAll('g.member')].every((m) => /^p\d( \(lag \d+\))?$/.test(m.querySelectorAll('text')[1].textContent));
  try {
    await page.waitForFunction(oneEach, null, { timeout: 10000 });
  } catch {
    const owned = await page.$$eval('g.member', (ms) => ms.map((m) => m.querySelectorAll('text')[1].textContent));
    throw new Error(`assignment after the rebalance: ${JSON.stringify(owned)}`);
  }
  const log = await page.textContent('.events');
  if (!/Group orders-app rebalanced \(generation \d+, range\)/.test(log)) throw new Error(`event log has no rebalance: ${log.slice(0, 400)}`);
  const term = await page.textContent('.terminal .scrollback');
  if (!term.includes('$ consumer start --group orders-app --topic orders --strategy range')) throw new Error(`terminal did not echo the command: ${term}`);
  await page.screenshot({ path: join(out, 'add-consumer.png') });
});

test('the inspector shows a replica\'s LEO, HW, ISR, segments and records', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForFunction(() => [...document.querySelectorAll('g.replica .offsets')].some((t) => !t.textContent.includes('HW 0')), null, { timeout: 20000 });
  await page.locator('body').press(' '); // Space pauses
  if ((await page.textContent('button.play')).trim() !== 'Play') throw new Error('Space did not pause');
  const row = page.locator('g.replica.leader').filter({ hasNotText: 'HW 0 ' }).first();
  const stageText = await row.locator('.offsets').textContent();
  await row.click();
  await page.waitForSelector('.inspector');
  const value = async (name) => page.$$eval('.inspector dt', (dts, n) => dts.find((d) => d.textContent === n)?.nextElementSibling.textContent, name);
  const hw = await value('High watermark (HW)');
  const leo = await value('Log end offset (LEO)');
  if (!stageText.includes(`HW ${hw}`) || !stageText.includes(`LEO ${leo}`)) throw new Error(`inspector HW ${hw} / LEO ${leo} vs stage ${stageText}`);
  if (!(Number(hw) > 0)) throw new Error(`HW should have advanced: ${hw}`);
  if ((await value('Role')) !== 'leader') throw new Error('expected the leader replica');
  if (!(await value('In the ISR')).startsWith('yes')) throw new Error('leader not in ISR?');
  if (await page.locator('.inspector table.segments tbody tr').count() < 1) throw new Error('no segments listed');
  if (await page.locator('.inspector table.records tbody tr').count() < 1) throw new Error('no records listed');
  await page.screenshot({ path: join(out, 'inspector-replica.png') });
  await page.keyboard.press('Escape');
  await page.waitForSelector('.inspector', { state: 'detached', timeout: 3000 });
});

test('keyboard: ? lists shortcuts, Tab + Enter inspects, → steps, Esc closes', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('g.member');
  await page.keyboard.press('?');
  await page.waitForSelector('[role=dialog] .shortcuts');
  await page.screenshot({ path: join(out, 'shortcuts.png') });
  await page.keyboard.press('Escape');
  await page.waitForSelector('[role=dialog]', { state: 'detached' });
  const clock = () => page.textContent('.clock');
  await page.locator('body').press('ArrowRight');
  if ((await page.textContent('button.play')).trim() !== 'Play') throw new Error('→ should pause and step');
  const t0 = await clock();
  for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(100);
  if ((await clock()) === t0) throw new Error('stepping did not advance simulated time');
  // Every stage item is focusable and opens the inspector with Enter.
  const focusable = await page.$$eval('svg.stage [role=button]', (gs) => gs.filter((g) => g.getAttribute('tabindex') === '0').length);
  if (focusable < 3 + 9 + 1 + 2 + 1) throw new Error(`focusable stage items: ${focusable}`);
  await page.focus('g.member');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.inspector h2')?.textContent.startsWith('Consumer consumer-'));
  const dts = await page.$$eval('.inspector dt', (d) => d.map((x) => x.textContent));
  for (const n of ['member.id', 'group.id', 'partition.assignment.strategy']) if (!dts.includes(n)) throw new Error(`member inspector lacks ${n}: ${dts}`);
  await page.focus('g.group-pick');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('.inspector h2')?.textContent === 'Group orders-app');
  const text = await page.textContent('.inspector');
  for (const n of ['State', 'Generation', 'Coordinator', 'Group leader']) if (!text.includes(n)) throw new Error(`group inspector lacks ${n}`);
  await page.keyboard.press('Escape');
  await page.waitForSelector('.inspector', { state: 'detached' });
});

test('forms: a topic is created, a duplicate shows Kafka\'s error, a record is produced by hand', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('form.add-topic');
  await page.fill('form.add-topic input[name=topic]', 'payments');
  await page.fill('form.add-topic input[name=partitions]', '2');
  await page.fill('form.add-topic input[name=replication-factor]', '3');
  await page.click('form.add-topic button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('g.replica').length === 15, null, { timeout: 5000 });
  await page.click('form.add-topic button[type=submit]');
  await page.waitForFunction(() => /already exists/.test(document.querySelector('.notice.error')?.textContent || ''), null, { timeout: 5000 });
  // A record with markup in it is shown as text.
  await page.click('text=Produce one record');
  await page.selectOption('form.produce-one select', 'payments');
  await page.fill('form.produce-one input[name=key]', 'user-7');
  await page.fill('form.produce-one input[name=value]', '<b>bold?</b>');
  await page.click('form.produce-one button[type=submit]');
  await page.waitForFunction(() => /manual-producer → payments-\d/.test(document.querySelector('.notice.ok')?.textContent || ''), null, { timeout: 5000 });
  const tp = /payments-\d/.exec(await page.textContent('.notice'))[0];
  await page.waitForTimeout(1500); // the request and the replication travel at 40 ms a hop
  await pause(page);
  await page.click(`g.replica.leader[aria-label^="${tp} "]`);
  await page.waitForFunction(() => document.querySelector('.inspector table.records'), null, { timeout: 5000 });
  const cells = await page.$$eval('.inspector table.records td.text', (tds) => tds.map((t) => t.textContent));
  if (!cells.includes('user-7') || !cells.includes('<b>bold?</b>')) throw new Error(`records: ${JSON.stringify(cells)}`);
  if (await page.locator('.inspector b').count()) throw new Error('a record value was rendered as markup');
  await page.screenshot({ path: join(out, 'forms.png') });
});

test('event log filters by kind and hides message chatter', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelectorAll('.event-list li').length > 3, null, { timeout: 20000 });
  const text = await page.textContent('.event-list');
  if (/Produce |Fetch |Heartbeat /.test(text)) throw new Error(`chatter in the log: ${text.slice(0, 300)}`);
  await page.click('.events button.filter.groups');
  if ((await page.getAttribute('.events button.filter.groups', 'aria-pressed')) !== 'false') throw new Error('filter did not toggle');
  if (await page.locator('.event-list li.groups').count()) throw new Error('group events still shown');
});

test('the language switch translates the panels, forms and event log', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForFunction(() => /rebalanced/.test(document.querySelector('.events')?.textContent || ''), null, { timeout: 20000 });
  await page.locator('g.replica').first().click();
  await page.click('button.lang');
  await page.waitForFunction(() => document.querySelector('.events h2')?.textContent === 'Log kejadian');
  const side = await page.textContent('.side');
  for (const s of ['Susun skenario', 'Tambah topik', 'Peran', 'Segmen', 'selesai rebalance']) if (!side.includes(s)) throw new Error(`missing "${s}" in Bahasa Indonesia`);
  if (/\bBuild the scenario\b|\bEvent log\b|\bRole\b/.test(side)) throw new Error('English left in the side panels');
  await page.screenshot({ path: join(out, 'panels-id.png') });
  await page.click('button.lang');
});

test('layout: 1440, 768 and an 800x500 iframe; dark theme; reduced motion', async (page, base) => {
  const noOverflow = async (what) => {
    const [sw, w] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    if (sw > w + 1) throw new Error(`${what}: horizontal overflow ${sw} > ${w}`);
  };
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('g.member');
  await page.locator('g.replica').first().click();
  await noOverflow('1440');
  await page.screenshot({ path: join(out, 'layout-1440.png') });
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.waitForTimeout(200);
  await noOverflow('768');
  const stage = await page.locator('svg.stage').boundingBox();
  const side = await page.locator('.side').boundingBox();
  if (side.y < stage.y + stage.height - 1) throw new Error('side panels should sit below the stage at 768 px');
  await page.screenshot({ path: join(out, 'layout-768.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.setContent(`<!doctype html><body style="margin:0;background:#888"><iframe src="${base}" width="800" height="500" style="border:0"></iframe></body>`);
  const frame = page.frames()[1];
  await frame.waitForSelector('g.member', { timeout: 15000 });
  const fs = await frame.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth, document.querySelector('svg.stage').getBoundingClientRect().width]);
  if (fs[0] > fs[1] + 1) throw new Error(`iframe overflow ${fs}`);
  if (fs[2] < 700) throw new Error(`stage too narrow in the iframe: ${fs}`);
  await page.screenshot({ path: join(out, 'iframe-800x500.png'), clip: { x: 0, y: 0, width: 800, height: 500 } });
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('g.member');
  await page.click('button.theme');
  const bg = await page.$eval('.app', (a) => getComputedStyle(a).backgroundColor);
  if (bg !== 'rgb(23, 24, 26)') throw new Error(`dark theme background: ${bg}`);
  await page.screenshot({ path: join(out, 'dark.png') });
  await page.click('button.theme');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('svg.stage.reduced-motion');
  await page.waitForSelector('circle.msg', { timeout: 10000 });
  // A message keeps its place while in flight: no marker moves between two looks (at 0.01x a
  // message stays on the wire for seconds; without reduced motion it would visibly travel).
  await setSpeed(page, 0.01);
  await page.waitForTimeout(100);
  // The speed slider used to be rounded up to 1 simulated ms per frame (0.01× played at 0.06×,
  // so the 40 ms hops ended between the looks); the driver now carries fractions. A look can
  // still fall between two messages, so look again until one message is seen twice.
  const spots = () => page.$$eval('circle.msg', (cs) => Object.fromEntries(cs.map((c) => [c.dataset.id, `${c.getAttribute('cx')},${c.getAttribute('cy')}`])));
  let both = [];
  let a = {}, b = {};
  for (let tries = 0; tries < 20 && !both.length; tries++) {
    await page.waitForSelector('circle.msg', { timeout: 15000 });
    a = await spots();
    await page.waitForTimeout(400);
    b = await spots();
    both = Object.keys(a).filter((k) => k in b);
  }
  if (!both.length) throw new Error('no message was in flight at both looks');
  const moved = both.filter((k) => a[k] !== b[k]);
  if (moved.length) throw new Error(`markers moved with reduced motion: ${moved.length} of ${both.length}`);
  if (!(await page.textContent('.stage-area')).includes('Reduced motion is on')) throw new Error('no reduced-motion note');
  await page.screenshot({ path: join(out, 'reduced-motion.png') });
});

// ---- Shareable scenarios: links, localStorage, files, embeds and the postMessage API ----

const fixture = (name) => readFile(join(root, 'tests', 'fixtures', 'scenarios', name), 'utf8');
// What two pages must agree on to show "the same state": the clock, every replica's LEO and HW,
// the groups' state and generation.
const snapshot = (page) => page.evaluate(() => ({
  clock: document.querySelector('.clock').textContent,
  replicas: [...document.querySelectorAll('g.replica')].map((r) => r.getAttribute('aria-label')).sort(),
  groups: [...document.querySelectorAll('g.group-pick text')].map((t) => t.textContent),
  brokersDown: document.querySelectorAll('g.broker.down').length,
}));
const terminalRun = async (page, line) => {
  const input = page.locator('.terminal input');
  await input.fill(line);
  await input.press('Enter');
};

test('the controller quorum is drawn and a killed leader is replaced', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('g.controller.active');
  await terminalRun(page, 'cluster create --brokers 3 --controllers 3');
  await page.waitForFunction(() => document.querySelectorAll('g.controller').length === 3, null, { timeout: 10000 });
  const first = await page.getAttribute('g.controller.active', 'aria-label');
  if (!first.startsWith('controller 3000')) throw new Error(`unexpected active controller: ${first}`);
  await terminalRun(page, 'controller kill controller');
  await setSpeed(page, 10);
  await page.waitForFunction(() => {
    const a = document.querySelector('g.controller.active');
    return a && !a.getAttribute('aria-label').startsWith('controller 3000');
  }, null, { timeout: 20000 });
  if (await page.locator('g.controller.down').count() !== 1) throw new Error('the killed controller is not drawn as down');
  await page.screenshot({ path: join(out, 'controller-failover.png') });
  // Combined mode: each controller is drawn inside its broker, one process; killing the
  // active one takes its broker down too, and another broker's controller takes over.
  await terminalRun(page, 'cluster create --brokers 3 --controllers 3 --combined');
  await page.waitForFunction(() => document.querySelectorAll('g.broker.combined').length === 3 && !document.querySelector('g.controller'), null, { timeout: 10000 });
  await page.waitForSelector('g.broker.combined.active-controller');
  const active = await page.getAttribute('g.broker.active-controller g.broker-pick', 'aria-label');
  await terminalRun(page, 'controller kill controller');
  await page.waitForFunction((was) => {
    const a = document.querySelector('g.broker.active-controller g.broker-pick');
    return a && a.getAttribute('aria-label') !== was && document.querySelector(`g.broker.down g.broker-pick[aria-label="${was}"]`);
  }, active, { timeout: 20000 });
  const said = await page.textContent('.terminal .scrollback');
  if (!said.includes('runs in the same process (process.roles=broker,controller): it was killed too.')) throw new Error('the terminal does not say the broker went with its controller');
  await page.screenshot({ path: join(out, 'combined-mode.png') });
});

test('a copied link opens the same moment in a new page', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('g.group-pick text')?.textContent.includes('Stable'), null, { timeout: 20000 });
  await terminalRun(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic payments --partitions 2 --replication-factor 3');
  await page.waitForFunction(() => document.querySelectorAll('g.replica').length === 15, null, { timeout: 10000 });
  // (The broker's name, not its middle: the replica rows cover that.)
  await page.focus('g.broker-pick[aria-label="Broker 2"]');
  await page.keyboard.press('Enter');
  await page.click('.inspector button.kill-broker');
  await setSpeed(page, 10);
  await page.waitForTimeout(1500);
  await pause(page);
  await page.click('.share button.copy-link');
  const link = await page.inputValue('.share .share-text');
  if (!/#s=[A-Za-z0-9_-]+&t=\d+$/.test(link)) throw new Error(`link: ${link}`);
  if (!link.startsWith(base)) throw new Error(`link ${link} is not under ${base}`);
  const sent = await snapshot(page);
  await page.screenshot({ path: join(out, 'link-sender.png') });
  const other = await page.context().browser().newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await other.goto(link, { waitUntil: 'load' });
    await other.waitForSelector('g.broker');
    await other.waitForFunction((c) => document.querySelector('.clock')?.textContent === c && !document.querySelector('.seeking'), sent.clock, { timeout: 20000 });
    const got = await snapshot(other);
    if (JSON.stringify(got) !== JSON.stringify(sent)) throw new Error(`sent ${JSON.stringify(sent)}\n  got ${JSON.stringify(got)}`);
    if ((await other.textContent('button.play')).trim() !== 'Play') throw new Error('a link should open paused at its moment');
    if (await other.locator('.banner').count()) throw new Error(`unexpected banner: ${await other.textContent('.banner')}`);
    // The full page keeps its state in localStorage, not in the address bar.
    if (new URL(other.url()).hash) throw new Error(`fragment kept: ${other.url()}`);
    await other.screenshot({ path: join(out, 'link-receiver.png') });
  } finally {
    await other.close();
  }
});

test('a corrupt or oversized link falls back to the default scenario with a message (En and Id)', async (page, base) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}#s=AAAA@@@bad&t=5`, { waitUntil: 'load' });
  await page.waitForSelector('.banner.link-problem');
  const text = await page.textContent('.banner');
  if (!/could not be opened/.test(text) || !/damaged: corrupt base64url at character 4/.test(text)) throw new Error(`banner: ${text}`);
  await page.waitForFunction(() => document.querySelectorAll('g.broker').length === 3 && document.querySelectorAll('g.replica').length === 9);
  await page.screenshot({ path: join(out, 'link-corrupt.png') });
  await page.click('button.lang');
  await page.waitForFunction(() => /tidak bisa dibuka/.test(document.querySelector('.banner')?.textContent || ''));
  if (!/rusak/.test(await page.textContent('.banner'))) throw new Error(`Indonesian banner: ${await page.textContent('.banner')}`);
  await page.click('button.lang');
  // (Via another page: a change of fragment alone does not reload a page.)
  await page.goto('about:blank');
  await page.goto(`${base}#s=${'A'.repeat(70000)}&t=0`, { waitUntil: 'load' });
  await page.waitForSelector('.banner.link-problem');
  if (!/too long \(70006 bytes; at most 65536\)/.test(await page.textContent('.banner'))) throw new Error(`oversized: ${await page.textContent('.banner')}`);
  await page.waitForSelector('g.replica');
  await page.click('.banner .dismiss');
  await page.waitForSelector('.banner', { state: 'detached' });
  if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
});

test('a reload restores the last scenario and what was done to it', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.evaluate(() => localStorage.clear());
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('g.broker');
  await terminalRun(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic audit --partitions 1 --replication-factor 1');
  await page.waitForFunction(() => document.querySelectorAll('g.replica').length === 10, null, { timeout: 10000 });
  await page.waitForTimeout(1000);
  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelectorAll('g.replica').length === 10 && !document.querySelector('.seeking'), null, { timeout: 20000 });
  if (!(await page.$$eval('g.replica', (rs) => rs.some((r) => r.getAttribute('aria-label').startsWith('audit-0 '))))) throw new Error('topic audit not restored');
  if (await page.locator('.banner').count()) throw new Error(`unexpected banner: ${await page.textContent('.banner')}`);
  await page.screenshot({ path: join(out, 'reload-restored.png') });
  await page.evaluate(() => localStorage.clear());
});

test('open a scenario file: every problem listed with its path; a valid file replaces the world', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('.share input[type=file]');
  const bad = JSON.stringify({ version: 1, seed: 1, cluster: { brokerz: 3 }, topics: [{ name: 'x', partitons: 2 }] });
  await page.setInputFiles('.share input[type=file]', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
  await page.waitForSelector('.share .scenario-errors li');
  const items = await page.$$eval('.share .scenario-errors li', (li) => li.map((x) => x.textContent));
  if (!items.some((x) => x.startsWith('topics[0].partitons: unknown field'))) throw new Error(`errors: ${JSON.stringify(items)}`);
  if (!items.some((x) => x.startsWith('cluster.brokerz: unknown field'))) throw new Error(`errors: ${JSON.stringify(items)}`);
  if (await page.locator('g.replica').count() !== 9) throw new Error('an invalid file changed the world');
  await page.screenshot({ path: join(out, 'open-invalid.png') });
  await page.setInputFiles('.share input[type=file]', { name: 'replication-basics.json', mimeType: 'application/json', buffer: Buffer.from(await fixture('replication-basics.json')) });
  await page.waitForFunction(() => [...document.querySelectorAll('g.replica')].some((r) => r.getAttribute('aria-label').startsWith('payments-0')), null, { timeout: 10000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('.share button.download-scenario')]);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  if (saved.version !== 1 || saved.title !== 'Replication basics' || download.suggestedFilename() !== 'replication-basics.json') throw new Error(`download: ${download.suggestedFilename()} ${JSON.stringify(saved).slice(0, 200)}`);
});

// A tutorial site on another origin than the playground: host pages and scenario files.
async function hostSite(pages) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const body = pages[path];
    if (body === undefined) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'text/html' }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // 'localhost' and '127.0.0.1' are different origins: the embeds are cross-origin.
  return { server, url: `http://localhost:${server.address().port}` };
}
const collectEvents = `<script>
  window.events = [];
  document.addEventListener('DOMContentLoaded', () => KafkaPlayground.mounted.then((players) => {
    window.players = players;
    players.forEach((p, i) => { window.events[i] = []; ['ready', 'state', 'violation', 'console_output', 'error'].forEach((t) => p.on(t, (e) => window.events[i].push(e))); });
  }));
</script>`;

test('a host page with two embeds drives each independently over postMessage', async (page, base) => {
  const site = await hostSite({
    '/a.json': await fixture('default.json'),
    '/b.json': await fixture('replication-basics.json'),
    '/lesson.html': `<!doctype html><html><head><meta charset="utf-8"><title>Lesson</title>
      <script src="${base}embed.js" defer></script>${collectEvents}</head>
      <body style="margin:0;font-family:sans-serif"><h1 style="font-size:18px;margin:4px">Two embeds</h1>
      <div style="width:800px" data-kafka-playground="a.json" data-height="500"></div>
      <div style="width:800px" data-kafka-playground="b.json" data-height="500" data-terminal></div></body></html>`,
  });
  try {
    await page.setViewportSize({ width: 1000, height: 1100 });
    await page.goto(`${site.url}/lesson.html`, { waitUntil: 'load' });
    const events = (i, type) => page.evaluate(([i, type]) => (window.events[i] || []).filter((e) => e.type === type), [i, type]);
    const last = async (i, type) => (await events(i, type)).at(-1);
    await page.waitForFunction(() => window.events.length === 2 && window.events.every((es) => es.some((e) => e.type === 'ready') && es.some((e) => e.type === 'state')), null, { timeout: 30000 });
    const frames = page.frames().filter((f) => f.url().includes('?embed'));
    if (frames.length !== 2) throw new Error(`frames: ${frames.map((f) => f.url())}`);
    for (const f of frames) {
      await f.waitForSelector('svg.stage g.broker');
      if (await f.locator('.side, form.add-topic, .share').count()) throw new Error('editing chrome in the compact player');
      const [sw, w, sh, h] = await f.evaluate(() => [document.documentElement.scrollWidth, innerWidth, document.documentElement.scrollHeight, innerHeight]);
      if (sw > w + 1 || sh > h + 1) throw new Error(`the player overflows its 800x500 iframe: ${[sw, w, sh, h]}`);
    }
    if (await frames[0].locator('.terminal').count() !== 0 || await frames[1].locator('.terminal').count() !== 1) throw new Error('data-terminal should show the terminal in the second player only');
    const send = (i, m) => page.evaluate(([i, m]) => window.players[i].send(m), [i, m]);
    await send(0, { type: 'pause' });
    await send(1, { type: 'pause' });
    await page.waitForFunction(() => window.events.every((es) => es.filter((e) => e.type === 'state').at(-1)?.playing === false));
    // A console line in the first player only.
    await send(0, { type: 'console', line: 'kafka-topics --bootstrap-server localhost:9092 --create --topic extra --partitions 1 --replication-factor 1' });
    await page.waitForFunction(() => window.events[0].some((e) => e.type === 'console_output'), null, { timeout: 10000 });
    const out0 = await last(0, 'console_output');
    if (out0.code !== 0 || !/Created topic extra/.test(out0.stdout)) throw new Error(`console_output: ${JSON.stringify(out0)}`);
    await page.waitForFunction(() => window.events[0].filter((e) => e.type === 'state').at(-1)?.topics === 2);
    if ((await last(1, 'state')).topics !== 1) throw new Error('the second player saw the first one\'s topic');
    if ((await events(1, 'console_output')).length) throw new Error('the second player got the first one\'s console output');
    // Seek the second player past broker 0's crash (at 10 s); the first stays where it was.
    const t0 = (await last(0, 'state')).now_ms;
    await send(1, { type: 'seek', ms: 20000 });
    await page.waitForFunction(() => window.events[1].filter((e) => e.type === 'state').at(-1)?.now_ms === 20000, null, { timeout: 20000 });
    const s1 = await last(1, 'state');
    if (s1.brokers_alive !== 2 || s1.brokers !== 3) throw new Error(`second player at 20 s: ${JSON.stringify(s1)}`);
    if ((await last(0, 'state')).now_ms !== t0) throw new Error('the first player moved');
    // Back in time: replayed from the start, broker 0 alive again.
    await send(1, { type: 'seek', ms: 5000 });
    await page.waitForFunction(() => window.events[1].filter((e) => e.type === 'state').at(-1)?.now_ms === 5000, null, { timeout: 20000 });
    if ((await last(1, 'state')).brokers_alive !== 3) throw new Error('seeking back did not restore broker 0');
    await send(1, { type: 'step' });
    await page.waitForFunction(() => window.events[1].filter((e) => e.type === 'state').at(-1)?.now_ms > 5000);
    // A known type with a wrong shape is answered with an error, to that player only.
    await page.evaluate((origin) => document.querySelectorAll('iframe')[1].contentWindow.postMessage({ kafkaPlayground: 1, type: 'seek', ms: 'soon' }, origin), new URL(base).origin);
    await page.waitForFunction(() => window.events[1].some((e) => e.type === 'error'));
    if (!/seek: ms must be a whole number/.test((await last(1, 'error')).message)) throw new Error(`error: ${JSON.stringify(await last(1, 'error'))}`);
    if ((await events(0, 'error')).length) throw new Error('the first player got the second one\'s error');
    // load: a new scenario in the first player; play resumes the clock.
    const one = { version: 1, seed: 5, cluster: { brokers: 1 }, topics: [{ name: 'solo', partitions: 1, replication_factor: 1 }] };
    await send(0, { type: 'load', scenario: one });
    await page.waitForFunction(() => window.events[0].filter((e) => e.type === 'state').at(-1)?.brokers === 1);
    await send(0, { type: 'play' });
    await page.waitForFunction(() => window.events[0].filter((e) => e.type === 'state').at(-1)?.playing === true);
    await frames[0].waitForSelector('g.replica[aria-label^="solo-0"]');
    await page.screenshot({ path: join(out, 'host-two-embeds.png'), fullPage: true });
  } finally {
    site.server.close();
  }
});

test('"copy embed code" gives a snippet that plays the same scenario in a plain page', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('g.broker');
  await terminalRun(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic lesson --partitions 2 --replication-factor 2');
  await page.waitForFunction(() => document.querySelectorAll('g.replica').length === 13, null, { timeout: 10000 });
  await page.click('.share button.copy-embed');
  const snippet = await page.inputValue('.share .share-text');
  if (!snippet.includes(`<script src="${base}embed.js" defer></script>`) || !/data-fragment="s=[A-Za-z0-9_-]+&t=0"/.test(snippet)) throw new Error(`snippet: ${snippet}`);
  await page.screenshot({ path: join(out, 'copy-embed.png') });
  const site = await hostSite({ '/tutorial.html': `<!doctype html><html><head><meta charset="utf-8"></head><body><p>My tutorial</p>\n${snippet}\n</body></html>` });
  try {
    await page.goto(`${site.url}/tutorial.html`, { waitUntil: 'load' });
    // embed.js adds the iframe after load; its frame reaches the player's URL a moment later.
    let frame;
    for (let i = 0; i < 200 && !frame; i++) {
      frame = page.frames().find((f) => f.url().includes('?embed'));
      if (!frame) await page.waitForTimeout(50);
    }
    if (!frame) throw new Error(`no player frame: ${page.frames().map((f) => f.url())}`);
    // The topic was created a moment after 0: the player replays it when its time comes.
    await frame.waitForFunction(() => document.querySelectorAll('g.replica').length === 13, null, { timeout: 20000 });
    await page.screenshot({ path: join(out, 'embed-snippet.png') });
  } finally {
    site.server.close();
  }
});

// Lesson 5 (replication), completed through the lessons panel in both languages: each step
// advances by itself once "show me" has typed its solution and the simulation got there.
async function completeLesson5(page, base, lang) {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('.lessons-panel select');
  if (lang === 'id') {
    await page.click('header button.lang');
    await page.waitForFunction(() => document.querySelector('#lessons-title')?.textContent === 'Pelajaran');
  }
  const index = await page.$eval('.lessons-panel select', (s) => [...s.options].findIndex((o) => o.textContent.startsWith('5. ')));
  if (index < 0) throw new Error('lesson 5 is not in the picker');
  await page.selectOption('.lessons-panel select', String(index));
  await page.click('.lessons-panel button.lesson-start');
  await page.waitForSelector('.lessons-panel .lesson-stage[data-stage="0"]');
  const first = await page.textContent('.lessons-panel .lesson-text');
  const expected = lang === 'id' ? 'salinan' : 'copies';
  if (!first.includes(expected) || !first.includes('default.replication.factor')) throw new Error(`step 1 text (${lang}): ${first}`);
  await setSpeed(page, 10);
  const total = await page.$eval('.lessons-panel progress', (p) => Number(p.max));
  if (total !== 6) throw new Error(`lesson 5 has ${total} stages`);
  for (let stage = 0; stage < total; stage++) {
    await page.waitForSelector(`.lessons-panel .lesson-stage[data-stage="${stage}"]`, { timeout: 20000 });
    if (stage === 1) await page.screenshot({ path: join(out, `lesson5-${lang}-step2.png`) });
    await page.click('.lessons-panel button.lesson-show-me');
    await page.waitForSelector(`.lessons-panel .lesson-stage[data-stage="${stage + 1}"]`, { timeout: 30000 });
  }
  const done = await page.textContent('.lessons-panel .lesson-done');
  if (!done.startsWith(lang === 'id' ? 'Tidak.' : 'No.')) throw new Error(`done text (${lang}): ${done}`);
  const heading = await page.textContent('.lessons-panel .lesson-stage');
  if (heading !== (lang === 'id' ? 'Pelajaran selesai' : 'Lesson complete')) throw new Error(`heading: ${heading}`);
  const scrollback = await page.textContent('.terminal .scrollback');
  if (!scrollback.includes('$ broker kill leader:payments:0')) throw new Error('"show me" did not type the solution in the terminal');
  await page.screenshot({ path: join(out, `lesson5-${lang}-done.png`) });
}

test('lessons: lesson 5 (replication) is completed in English and in Bahasa Indonesia', async (page, base) => {
  await completeLesson5(page, base, 'en');
  const other = await page.context().browser().newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await completeLesson5(other, base, 'id');
  } finally {
    await other.close();
  }
});

test('flows: a row change travels through a source connector, a streams app and a sink into a second table', async (page, base) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base, { waitUntil: 'load' });
  const input = page.locator('.terminal input');
  await input.waitFor();
  // The default page draws no flows band.
  if (await page.locator('svg.stage g.flows').count()) throw new Error('a flows band on the default page');
  const run = async (line, expect) => {
    await input.fill(line);
    await input.press('Enter');
    await page.waitForFunction((t) => document.querySelector('.terminal .scrollback')?.textContent.includes(t), expect, { timeout: 10000 });
  };
  await run('table create orders --key id', 'Created table orders');
  await run('connector create source orders-cdc --table orders --topic db.orders --flush-interval 5s', 'Created source connector orders-cdc');
  await run("streams create customer-totals --from db.orders --to customer-totals --op 'filter op equals c' --op 'map after.customer after.amount' --op sum --store totals --commit-interval 5s", 'Created streams app customer-totals');
  await run('connector create sink totals-sink --topic customer-totals --table totals --key customer', 'Created sink connector totals-sink');
  await page.waitForSelector('svg.stage.with-flows g.flows g.flow-table[data-table="orders"]', { timeout: 5000 });
  await setSpeed(page, 10);
  // Let the connector and the app start before the change, so it is a create (op c).
  await page.waitForFunction(() => /RUNNING/.test(document.querySelector('g.flow-app[data-app="customer-totals"] .flow-state')?.textContent || ''), null, { timeout: 30000 });
  await run('table insert orders id=1 customer=ann amount=12', 'INSERT 0 1');
  await page.waitForFunction(() => document.querySelector('g.flow-table[data-table="totals"] g.flow-row[data-key="ann"]')?.textContent.includes('12'), null, { timeout: 30000 });
  const store = await page.textContent('g.flow-app[data-app="customer-totals"] g.flow-store');
  if (!store.includes('ann=12')) throw new Error(`store: ${store}`);
  const source = await page.textContent('g.flow-connector[data-connector="orders-cdc"]');
  if (!source.includes('RUNNING')) throw new Error(`source connector: ${source}`);
  // The band sits below the cluster: no flows box overlaps a broker frame.
  const overlap = await page.evaluate(() => {
    const frames = [...document.querySelectorAll('g.broker rect.frame')].map((r) => r.getBBox());
    const boxes = [...document.querySelectorAll('g.flows rect.flow-box')].map((r) => r.getBBox());
    return boxes.some((b) => frames.some((f) => b.y < f.y + f.height && f.y < b.y + b.height && b.x < f.x + f.width && f.x < b.x + b.width));
  });
  if (overlap) throw new Error('a flows box overlaps a broker');
  await page.locator('svg.stage').screenshot({ path: join(out, 'flows.png') });
  await page.click('button.lang');
  await page.waitForFunction(() => /dibuat|ditambahkan/.test(document.querySelector('.events')?.textContent || ''), null, { timeout: 5000 });
  if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
});

// Last: if the engine hangs on a broker failure, the other tests have already run.
test('killing a broker from the inspector moves leadership (event log and live region)', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('g.group-pick text')?.textContent.includes('Stable'), null, { timeout: 20000 });
  const leaderLabel = await page.locator('g.replica.leader').first().getAttribute('aria-label');
  const broker = /Broker (\d+)/.exec(leaderLabel)[1];
  // By keyboard: a click at the broker's middle can land on a replica row (the stage redraws
  // every frame, and Playwright re-aims at a moving target).
  await page.focus(`g.broker-pick[aria-label="Broker ${broker}"]`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((b) => document.querySelector('.inspector h2')?.textContent === `Broker ${b}`, broker, { timeout: 5000 });
  await page.click('.inspector button.kill-broker');
  // A crashed broker is noticed when its KRaft session expires: broker.session.timeout.ms is
  // 9 s of simulated time, 36 s of wall time at the default 0.25×. Watch it at 10×.
  await setSpeed(page, 10);
  await page.waitForFunction(() => /elected leader of/.test(document.querySelector('.events')?.textContent || ''), null, { timeout: 20000 });
  await page.waitForFunction(() => /New leader for|elected leader/.test(document.querySelector('.narrator')?.textContent || ''), null, { timeout: 20000 });
  await page.screenshot({ path: join(out, 'broker-killed.png') });
  await page.click('.inspector button.start-broker');
  await page.waitForFunction(() => /is now/.test(document.querySelector('.events')?.textContent || ''), null, { timeout: 20000 });
});

// ---- Time and history: timeline markers, charts, guarantees, message sequence ----

const typeLine = async (page, line) => {
  const input = page.locator('.terminal .prompt input');
  await input.fill(line);
  await input.press('Enter');
};

test('a busy stage: its dots are painted on a canvas, cleared when calm again, and each producer\'s counters still count, in turns', async (page, base) => {
  await page.goto(base + '?reset', { waitUntil: 'load' });
  await page.waitForSelector('g.broker');
  await setSpeed(page, 1);
  // 60 producers on 300 ms links keep well over the stage's 60 busy messages in flight.
  const ids = [...Array(60).keys()];
  await typeLine(page, ids.map((i) => `producer start --topic orders --rate 20/s --name busy-${i}`).join('; '));
  const links = ids.flatMap((i) => [0, 1, 2].map((b) => `network latency busy-${i} ${b} 300ms`));
  for (let i = 0; i < links.length; i += 30) await typeLine(page, links.slice(i, i + 30).join('; '));
  // What the canvas shows: the dots it says it painted, its painted pixels, those in the
  // produce colour (#E69F00, the inside of a request's disk), and the circles drawn meanwhile.
  const painted = () => page.evaluate(() => {
    const c = document.querySelector('.messages-canvas canvas');
    if (!c) return null;
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let pixels = 0; let produce = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3]) pixels++;
      if (px[i] === 0xE6 && px[i + 1] === 0x9F && px[i + 2] === 0 && px[i + 3] === 255) produce++;
    }
    return { dots: Number(c.dataset.dots), pixels, produce, circles: document.querySelectorAll('circle.msg').length };
  });
  await page.waitForFunction(() => Number(document.querySelector('.messages-canvas canvas')?.dataset.dots) > 80, null, { timeout: 20000 });
  const busy = await painted();
  if (busy.circles) throw new Error(`${busy.circles} circles left on a busy stage beside its canvas`);
  if (!busy.produce) throw new Error(`no produce request painted: ${JSON.stringify(busy)}`);
  // A producer's counters, its last line: "N acked · M sent" in a box, "N · M" in a row.
  const counts = (name) => page.$eval(`g.producer[aria-label$=" ${name}"]`, (g) => [...g.querySelectorAll('text.detail')].at(-1).textContent.match(/\d+/g).map(Number));
  const first = await counts('busy-0');
  await page.waitForTimeout(2500);
  const later = await counts('busy-0');
  if (!(later[0] > first[0] && later[1] > first[1])) throw new Error(`busy-0's counters did not count on: ${first} then ${later}`);
  if (later[0] > later[1]) throw new Error(`more acked than sent: ${later}`);
  // Calm again: the canvas is cleared and the remaining messages are circles once more.
  await typeLine(page, ids.map((i) => `producer stop busy-${i}`).join('; '));
  await page.waitForFunction(() => document.querySelector('.messages-canvas canvas')?.dataset.dots === '0', null, { timeout: 20000 });
  const calm = await painted();
  if (calm.pixels) throw new Error(`${calm.pixels} pixels of dots left on the canvas once calm`);
  await page.waitForSelector('circle.msg', { timeout: 20000 });
});

test('a crowded stage: the producers\' and the groups\' columns stay above the legend and count whom they leave out', async (page, base) => {
  await page.goto(base + '?reset', { waitUntil: 'load' });
  await page.waitForSelector('g.member');
  await setSpeed(page, 1);
  const before = { producers: await page.locator('g.producer').count(), members: await page.locator('g.member').count() };
  // Each column: the boxes or rows drawn, the lowest one's bottom, and the "+N more" count.
  const column = (kind) => page.evaluate((k) => ({
    drawn: document.querySelectorAll(`g.${k}`).length,
    bottom: Math.max(...[...document.querySelectorAll(`g.${k} > rect`)].map((r) => Number(r.getAttribute('y')) + Number(r.getAttribute('height')))),
    more: Number(document.querySelector(`text.more-${k}s`)?.textContent.match(/\d+/)[0] || 0),
  }), kind);
  const check = async (kind, total, rows) => {
    const c = await column(kind);
    // The legend's row is at 720: nothing drawn may reach below 700.
    if (c.drawn + c.more !== total || c.bottom > 700 || (rows && !c.more)) throw new Error(`${kind}s' column: ${JSON.stringify(c)} for ${total}`);
  };
  // Ten more of each fit as rows of one line; forty more do not all fit.
  for (const [added, all] of [[10, false], [40, true]]) {
    const from = added === 10 ? 0 : 10;
    const ids = [...Array(added - from).keys()].map((i) => i + from);
    await typeLine(page, ids.map((i) => `producer start --topic orders --rate 1/s --name crowd-p${i}`).join('; '));
    await typeLine(page, ids.map((i) => `consumer start --topic orders --group crowd --name crowd-c${i}`).join('; '));
    await page.waitForFunction((n) => document.querySelectorAll('g.member').length + Number(document.querySelector('text.more-members')?.textContent.match(/\d+/)[0] || 0) === n, before.members + added, { timeout: 20000 });
    await check('producer', before.producers + added, all);
    await check('member', before.members + added, all);
  }
  await page.screenshot({ path: join(out, 'crowded.png') });
});

test('history: markers, charts and the message sequence fill in; a marker and an event go to their moment', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('.sequence .arrow', { timeout: 10000 });
  await setSpeed(page, 10);
  await typeLine(page, 'broker kill 0');
  // Fenced after 9 simulated s: its partitions get new leaders (a blue leader-change mark).
  await page.waitForSelector('.timeline-markers rect.marker[fill="#0072B2"]', { timeout: 20000 });
  await page.waitForFunction(() => {
    const p = document.querySelector('.chart.throughput polyline');
    return p && p.getAttribute('points').split(' ').length >= 5;
  }, null, { timeout: 20000 });
  const lagLines = await page.locator('.chart.lag polyline').count();
  if (lagLines !== 1) throw new Error(`expected one lag line (orders-app), saw ${lagLines}`);
  const retained = await page.locator('.chart.retained polyline').count();
  if (retained !== 3) throw new Error(`expected a line per partition of orders, saw ${retained}`);
  const lifelines = await page.$$eval('.sequence .lifeline text', (ts) => ts.map((t) => t.textContent));
  if (!lifelines.includes('checkout')) throw new Error(`lifelines: ${lifelines}`);
  // The leader-change mark goes to its moment, paused.
  const mark = page.locator('.timeline-markers rect.marker[fill="#0072B2"]').first();
  const at = (await mark.locator('title').textContent()).split(' · ')[0];
  await mark.dispatchEvent('click');
  await page.waitForFunction((t) => document.querySelector('.controls .clock')?.textContent.endsWith(`: ${t}`), at, { timeout: 20000 });
  if ((await page.textContent('button.play')).trim() !== 'Play') throw new Error('a marker should pause at its moment');
  await page.screenshot({ path: join(out, 'history.png'), fullPage: true });
  // An event log entry's time does the same.
  const entry = page.locator('.event-list .at').last();
  const entryAt = await entry.textContent();
  await entry.click();
  await page.waitForFunction((t) => document.querySelector('.controls .clock')?.textContent.endsWith(`: ${t}`), entryAt, { timeout: 20000 });
});

test('guarantees: acks=1 loses acknowledged records; the panel names them and goes to the moment', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('.guarantees');
  if (!/No guarantee violated/.test(await page.textContent('.guarantees'))) throw new Error('violations before any fault');
  await pause(page);
  await typeLine(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic clicks --partitions 1 --replication-factor 3');
  await typeLine(page, 'kafka-topics --bootstrap-server localhost:9092 --describe --topic clicks');
  await page.waitForFunction(() => /Topic: clicks\tPartition: 0\tLeader: \d/.test(document.querySelector('.terminal .scrollback')?.textContent), null, { timeout: 10000 });
  const leader = Number(/Topic: clicks\tPartition: 0\tLeader: (\d)/.exec(await page.textContent('.terminal .scrollback'))[1]);
  // The leader acknowledges (acks=1) long before its followers can copy: then it dies.
  for (const f of [0, 1, 2].filter((b) => b !== leader)) await typeLine(page, `network latency ${leader} ${f} 2s`);
  for (const line of ['producer start --topic clicks --rate 50/s --acks 1 --name tracker', 'sleep 1s', `broker kill ${leader}`, 'sleep 12s']) await typeLine(page, line);
  await page.waitForSelector('.guarantees button.violation', { timeout: 10000 });
  const text = await page.textContent('.guarantees button.violation');
  if (!/acknowledged-write-durable/.test(text) || !/lost/.test(text)) throw new Error(`violation: ${text}`);
  const count = await page.textContent('.guarantee-counts li.violated');
  if (!/acknowledged-write-durable\s*1/.test(count)) throw new Error(`counts: ${count}`);
  await page.waitForSelector('.timeline-markers rect.marker[fill="#D55E00"]');
  const at = await page.textContent('.guarantees button.violation time');
  await page.click('.guarantees button.violation');
  await page.waitForFunction((t) => document.querySelector('.controls .clock')?.textContent.endsWith(`: ${t}`), at, { timeout: 20000 });
  await page.screenshot({ path: join(out, 'guarantees.png'), fullPage: true });
});

test('controls: links between brokers are drawn, cut and slowed (stage and inspector); fast-forward can be stopped; chatter can be hidden', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('g.broker-pick');
  await page.focus('g.broker-pick[aria-label="Broker 0"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.inspector .links li');
  const links = await page.locator('.inspector .links li').count();
  if (links !== 2) throw new Error(`broker 0 has links to brokers 1 and 2, saw ${links}`);
  await page.click('.inspector .links li >> nth=0 >> button.cut-link');
  await page.waitForFunction(() => document.querySelector('.terminal .scrollback')?.textContent.includes('Partitioned broker 0 from broker 1'), null, { timeout: 5000 });
  await page.click('.inspector .links li >> nth=1 >> button.slow-link');
  await page.waitForFunction(() => document.querySelector('.terminal .scrollback')?.textContent.includes('Link broker 0 <-> broker 2: 500 ms one way.'), null, { timeout: 5000 });
  // The stage draws every link between brokers: the cut one dashed, the slow one labelled.
  if (await page.locator('svg.stage g.link').count() !== 3) throw new Error('three brokers have three links');
  await page.waitForSelector('svg.stage g.link.cut[data-link="0-1"]', { timeout: 5000 });
  await page.waitForSelector('svg.stage g.link.degraded[data-link="0-2"]', { timeout: 5000 });
  const note = await page.textContent('svg.stage g.link[data-link="0-2"] .link-note');
  if (note !== '500 ms') throw new Error(`slow link label: ${note}`);
  // A link is clicked on the stage and cut from its own inspector.
  await page.click('svg.stage g.link[data-link="1-2"] path.hit', { force: true });
  await page.waitForFunction(() => document.querySelector('#inspector-title')?.textContent === 'Broker 1 ↔ Broker 2');
  const status = await page.textContent('.inspector dl');
  if (!status.includes('connected') || !status.includes('40 ms')) throw new Error(`link inspector: ${status}`);
  await page.click('.inspector button.cut-link');
  await page.waitForFunction(() => document.querySelector('.terminal .scrollback')?.textContent.includes('Partitioned broker 1 from broker 2'), null, { timeout: 5000 });
  await page.waitForSelector('svg.stage g.link.cut.selected[data-link="1-2"]', { timeout: 5000 });
  await page.screenshot({ path: join(out, 'links.png') });
  await page.click('.inspector button.heal-network');
  await page.waitForFunction(() => document.querySelector('.terminal .scrollback')?.textContent.includes('Network healed'), null, { timeout: 5000 });
  await page.waitForFunction(() => !document.querySelector('svg.stage g.link.cut, svg.stage g.link.degraded'), null, { timeout: 5000 });
  // A week ahead takes a while in the browser: the play button stops it where it got to.
  await page.click('button.ff-week');
  await page.waitForFunction(() => document.querySelector('button.play')?.textContent.trim() === 'Stop', null, { timeout: 5000 });
  await page.waitForTimeout(1500);
  await page.click('button.play');
  await page.waitForFunction(() => document.querySelector('button.play')?.textContent.trim() === 'Play', null, { timeout: 5000 });
  const stoppedAt = await page.textContent('.controls .clock');
  await page.waitForTimeout(500);
  if ((await page.textContent('.controls .clock')) !== stoppedAt) throw new Error('the world moved after the fast-forward was stopped');
  if (/Simulated time: 7d/.test(stoppedAt)) throw new Error(`the fast-forward was not stopped: ${stoppedAt}`);
  // Heartbeats and empty fetches are hidden from the stage on request (and remembered).
  const kinds = () => page.$$eval('circle.msg title', (ts) => ts.map((t) => t.textContent));
  await page.click('button.play');
  await page.waitForFunction(() => [...document.querySelectorAll('circle.msg title')].some((t) => /Heartbeat|Fetch/.test(t.textContent)), null, { timeout: 10000 });
  await page.uncheck('.controls .chatter input');
  for (let i = 0; i < 10; i++) {
    const shown = await kinds();
    if (shown.some((k) => /Heartbeat/.test(k))) throw new Error(`heartbeats still drawn: ${shown}`);
    await page.waitForTimeout(100);
  }
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('.controls .chatter input');
  if (await page.isChecked('.controls .chatter input')) throw new Error('the chatter choice was not remembered');
});

test('?bench runs the engine workload in WebAssembly and prints its figure as a JSON line', async (page, base) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}?bench=tiny`, { waitUntil: 'load' });
  await page.waitForSelector('#bench-output[data-done]', { timeout: 60000 });
  const f = JSON.parse(await page.textContent('#bench-output'));
  if (f.name !== 'engine_throughput_wasm' || f.unit !== 'records/s' || !(f.value > 0) || !(f.detail.consumed > 0)) throw new Error(`figure: ${JSON.stringify(f)}`);
  if (errors.length) throw new Error(`page errors: ${errors}`);
});

test('logical view: per topic, partitions with their replicas side by side; a replica opens in the inspector', async (page, base) => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('g.broker');
  await page.click('.view-switch .view-logical');
  await page.waitForSelector('.topics-view .replica-cell');
  const cells = await page.locator('.topic-logical .replica-cell').count();
  if (cells !== 9) throw new Error(`orders: 3 partitions x 3 replicas, saw ${cells}`);
  await page.waitForFunction(() => document.querySelectorAll('.topic-logical .replica-cell.leader').length === 3, null, { timeout: 10000 });
  if (await page.locator('svg.stage').count() !== 0) throw new Error('the stage should give way to the logical view');
  const label = await page.locator('.topic-logical .replica-cell.leader').first().getAttribute('aria-label');
  const [, tp, b] = /^(orders-\d) Broker (\d)/.exec(label);
  await page.locator('.topic-logical .replica-cell.leader').first().click();
  await page.waitForFunction((want) => document.querySelector('.inspector h2')?.textContent === want, `${tp} @ Broker ${b}`, { timeout: 5000 });
  await page.screenshot({ path: join(out, 'logical-view.png') });
  await page.click('.view-switch .view-physical');
  await page.waitForSelector('svg.stage');
});

await mkdir(out, { recursive: true });
const server = await serve();
const base = `http://127.0.0.1:${server.address().port}${SUBPATH}`;
const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
let browser = await launch();
// A page whose script never yields cannot be closed; a test gets this long, then the browser
// is replaced so that the run goes on (and says which test froze).
const TEST_TIMEOUT_MS = 240_000;
const within = (ms, promise, what) => {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(what)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};
let passed = 0, failed = 0;
// E2E_ONLY=text runs only the tests whose name contains it.
const only = process.env.E2E_ONLY;
for (const { name, fn } of tests.filter((t) => !only || t.name.includes(only))) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  if (process.env.E2E_LOG) page.on('console', (m) => console.log(`  [${m.type()}] ${m.text()}`));
  try {
    await within(TEST_TIMEOUT_MS, fn(page, base), `the test did not finish in ${TEST_TIMEOUT_MS / 1000} s (a frozen page?)`);
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${name}\n  ${e.message}`);
  } finally {
    try {
      await within(10_000, page.close(), 'the page did not close');
    } catch (e) {
      console.log(`  ${e.message}: starting a new browser`);
      const frozen = browser;
      browser = await launch();
      frozen.process()?.kill('SIGKILL');
    }
  }
}
await browser.close();
server.close();
for (const { name, reason } of skipped) console.log(`skip - ${name}\n  known failure: ${reason}`);
console.log(`e2e: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
process.exit(failed ? 1 : 0);
