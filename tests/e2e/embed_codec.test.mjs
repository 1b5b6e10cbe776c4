// www/embed.js under node (`node --test tests/e2e/embed_codec.test.mjs`): its encoder produces
// what the Rust decoder (src/scenario/url.rs) reads — raw deflate checked with zlib, base64url
// checked against RFC 4648 — and mounting turns each element into an iframe of `?embed#s=...`.
// tests/fixtures/scenarios/retention-segments.fragment.txt was made by this encoder and is
// decoded by the Rust test tests/scenario_url.rs, which closes the loop.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { inflateRawSync, deflateRawSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const embed = require('../../www/embed.js');
const fixtures = new URL('../fixtures/scenarios/', import.meta.url);
const read = (name) => readFileSync(new URL(name, fixtures), 'utf8');

function fromBase64url(s) {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function params(fragment) {
  return Object.fromEntries(fragment.split('&').map((p) => p.split('=')));
}

test('base64url follows RFC 4648 without padding', () => {
  const vectors = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']];
  for (const [plain, encoded] of vectors) {
    assert.equal(embed.base64url(new TextEncoder().encode(plain)), encoded);
  }
  assert.equal(embed.base64url(new Uint8Array([0xfb, 0xff])), '-_8');
});

test('the fragment is raw deflate of the file text, as written', async () => {
  const text = read('default.json');
  const fragment = await embed.encodeFragment(text, 1500.7);
  const { s, t } = params(fragment);
  assert.equal(t, '1500');
  assert.match(s, /^[A-Za-z0-9_-]+$/);
  assert.equal(inflateRawSync(fromBase64url(s)).toString('utf8'), text);
  // Non-ASCII text survives (UTF-8).
  const accents = JSON.stringify({ title: 'Replikasi — dasar' });
  const f2 = params(await embed.encodeFragment(accents, 0));
  assert.equal(inflateRawSync(fromBase64url(f2.s)).toString('utf8'), accents);
  // zlib's own raw deflate of the same text is read the same way by zlib: one format.
  assert.equal(inflateRawSync(deflateRawSync(Buffer.from(text))).toString('utf8'), text);
});

test('the committed browser fragment decodes to its scenario file', () => {
  const fragment = read('retention-segments.fragment.txt').trim();
  const { s, t } = params(fragment);
  assert.equal(t, '20000');
  assert.equal(inflateRawSync(fromBase64url(s)).toString('utf8'), read('retention-segments.json'));
});

test('invalid JSON and oversized scenarios are refused before any iframe', async () => {
  await assert.rejects(embed.encodeFragment('{"version": 1,', 0), /not valid JSON/);
  // Incompressible text: random hex in a JSON string, far beyond 64 KiB once encoded.
  let noise = '';
  let x = 2463534242;
  for (let i = 0; i < 40000; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5; // xorshift32
    noise += (x >>> 0).toString(16).padStart(8, '0');
  }
  await assert.rejects(embed.encodeFragment(JSON.stringify({ noise }), 0), /too large for a link/);
});

test('host messages and player events are checked by shape', () => {
  assert.deepEqual(embed.hostMessage({ type: 'seek', ms: 5000 }), { kafkaPlayground: 1, type: 'seek', ms: 5000 });
  assert.throws(() => embed.hostMessage({ type: 'seek', ms: -1 }), /whole number/);
  assert.throws(() => embed.hostMessage({ type: 'explode' }), /one of load, console/);
  assert.throws(() => embed.hostMessage({ type: 'console' }), /line must be a string/);
  assert.equal(embed.isPlayerEvent({ kafkaPlayground: 1, type: 'ready' }), true);
  assert.equal(embed.isPlayerEvent({ kafkaPlayground: 2, type: 'ready' }), false);
  assert.equal(embed.isPlayerEvent({ type: 'ready' }), false);
  assert.equal(embed.isPlayerEvent('ready'), false);
});

/** A minimal document: elements with attributes, children and style. */
function fakeDocument(elements) {
  const make = (tag) => ({
    tag,
    attrs: {},
    style: {},
    children: [],
    textContent: '',
    getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; },
    setAttribute(k, v) { this.attrs[k] = String(v); },
    replaceChildren(...c) { this.children = c; },
  });
  const doc = {
    createElement: make,
    querySelectorAll: () => elements,
  };
  return { doc, make };
}

test('each data-kafka-playground element becomes its own iframe', async () => {
  const { doc, make } = fakeDocument([]);
  const a = make('div');
  a.setAttribute('data-kafka-playground', 'lessons/default.json');
  a.setAttribute('data-height', '480');
  const b = make('div');
  b.setAttribute('data-kafka-playground', 'missing.json');
  const c = make('div');
  c.setAttribute('data-kafka-playground', 'retention.json');
  c.setAttribute('data-height', '99999');
  doc.querySelectorAll = () => [a, b, c];
  const files = {
    'https://tutorial.example/lessons/default.json': read('default.json'),
    'https://tutorial.example/retention.json': read('retention-segments.json'),
  };
  const env = {
    document: doc,
    pageUrl: 'https://tutorial.example/index.html',
    base: embed.playgroundBase({ src: 'https://play.example/kafka/embed.js', getAttribute: () => null },
      'https://tutorial.example/index.html'),
    fetch: async (url) => (url in files
      ? { ok: true, status: 200, text: async () => files[url] }
      : { ok: false, status: 404 }),
  };
  assert.equal(env.base, 'https://play.example/kafka/');
  const players = await embed.mountAll(env);
  assert.equal(players.length, 3);
  const [pa, pb, pc] = players;
  const iframe = a.children[0];
  assert.equal(iframe.tag, 'iframe');
  assert.equal(iframe.style.height, '480px');
  const [prefix, fragment] = iframe.src.split('#');
  assert.equal(prefix, 'https://play.example/kafka/?embed');
  assert.equal(inflateRawSync(fromBase64url(params(fragment).s)).toString('utf8'), read('default.json'));
  assert.equal(pb, null);
  assert.equal(b.children[0].textContent, 'Kafka Playground: could not load missing.json (HTTP 404)');
  assert.equal(c.children[0].style.height, '480px', 'an absurd height falls back to 480');
  assert.notEqual(c.children[0].src, iframe.src);
  // Mounting again leaves mounted elements alone.
  assert.equal((await embed.mountAll(env)).length, 0);

  // Events reach only the player whose iframe sent them, only from the playground's origin.
  pa.iframe.contentWindow = { posted: [], postMessage(m, o) { this.posted.push([m, o]); } };
  pc.iframe.contentWindow = { postMessage() {} };
  const seen = [];
  pa.on('state', (e) => seen.push(['a', e.now_ms]));
  pc.on('state', (e) => seen.push(['c', e.now_ms]));
  const state = { kafkaPlayground: 1, type: 'state', now_ms: 7 };
  assert.equal(embed.route({ origin: 'https://play.example', source: pc.iframe.contentWindow, data: state }), true);
  assert.equal(embed.route({ origin: 'https://evil.example', source: pa.iframe.contentWindow, data: state }), false);
  assert.equal(embed.route({ origin: 'https://play.example', source: {}, data: state }), false);
  assert.equal(embed.route({ origin: 'https://play.example', source: pa.iframe.contentWindow, data: { type: 'state' } }), false);
  assert.deepEqual(seen, [['c', 7]]);
  pa.send({ type: 'play' });
  assert.deepEqual(pa.iframe.contentWindow.posted, [[{ kafkaPlayground: 1, type: 'play' }, 'https://play.example']]);
});

test('an inline data-fragment (the playground\'s "Copy embed code") mounts without a fetch', async () => {
  const { doc, make } = fakeDocument([]);
  const fragment = await embed.encodeFragment(read('default.json'), 0);
  const a = make('div');
  a.setAttribute('data-kafka-playground', '');
  a.setAttribute('data-fragment', fragment);
  a.setAttribute('data-terminal', '');
  const bad = make('div');
  bad.setAttribute('data-kafka-playground', '');
  bad.setAttribute('data-fragment', 's=<script>&t=0');
  doc.querySelectorAll = () => [a, bad];
  const env = {
    document: doc,
    pageUrl: 'https://tutorial.example/index.html',
    base: 'https://play.example/kafka/',
    fetch: async () => { throw new Error('no fetch expected'); },
  };
  const [pa, pbad] = await embed.mountAll(env);
  assert.ok(pa);
  assert.equal(a.children[0].src, `https://play.example/kafka/?embed&terminal#${fragment}`);
  assert.equal(a.children[0].title, 'Kafka Playground');
  assert.equal(pbad, null);
  assert.match(bad.children[0].textContent, /data-fragment must be s=<scenario>&t=<milliseconds>/);
});
