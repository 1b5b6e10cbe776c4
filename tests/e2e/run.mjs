// End-to-end tests: the release build (dist/) served on 127.0.0.1 under a sub-path, driven by
// Playwright in Debian's Chromium. Screenshots go to target/e2e/.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const dist = join(root, 'dist');
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

await mkdir(out, { recursive: true });
const server = await serve();
const base = `http://127.0.0.1:${server.address().port}${SUBPATH}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
let passed = 0, failed = 0;
for (const { name, fn } of tests) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await fn(page, base);
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${name}\n  ${e.message}`);
  } finally {
    await page.close();
  }
}
await browser.close();
server.close();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
