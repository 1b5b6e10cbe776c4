/*
 * Kafka Playground embed helper (docs/embedding.md).
 *
 * A tutorial page includes this script once and writes, anywhere:
 *
 *   <div data-kafka-playground="scenario.json" data-height="480"></div>
 *
 * or, with the scenario inline (what the playground's "Copy embed code" gives):
 *
 *   <div data-kafka-playground data-fragment="s=...&t=0" data-height="480"></div>
 *
 * Each such element becomes an iframe of the playground in compact player mode
 * (`<playground>/?embed#s=...&t=0`), playing the scenario file. The scenario is put in the URL
 * fragment exactly as the playground's own links do (src/scenario/url.rs): the file's text,
 * deflated raw (RFC 1951, CompressionStream("deflate-raw")), in base64url without padding.
 * Several embeds on one page are independent.
 *
 * The playground's address is where this script was loaded from, or the page's
 * `<script src=".../embed.js" data-playground-url="https://...">` attribute.
 *
 * Host pages talk to a player with postMessage; `KafkaPlayground.players` holds one object per
 * embed with `send(message)` and `on(type, handler)` (see docs/embedding.md for the messages).
 */
(function (root) {
  'use strict';

  var PROTOCOL = 1;
  /** The same limits as the playground's decoder. */
  var MAX_FRAGMENT_BYTES = 64 * 1024;
  var HOST_MESSAGES = ['load', 'console', 'play', 'pause', 'step', 'seek'];
  var PLAYER_EVENTS = ['ready', 'state', 'violation', 'console_output', 'error'];

  /** Base64url (RFC 4648 section 5) without padding. */
  function base64url(bytes) {
    var binary = '';
    for (var i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  /** Raw deflate of a string's UTF-8 bytes, with the browser's CompressionStream. */
  function deflateRaw(text) {
    var stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      return new Uint8Array(buffer);
    });
  }

  /**
   * The fragment (without '#') for a scenario file's text at a position in milliseconds.
   * The text is sent as written (not re-serialised), so large seeds keep every digit.
   */
  function encodeFragment(jsonText, positionMs) {
    try {
      JSON.parse(jsonText);
    } catch (e) {
      return Promise.reject(new Error('the scenario file is not valid JSON: ' + e.message));
    }
    var t = Math.max(0, Math.floor(Number(positionMs) || 0));
    return deflateRaw(jsonText).then(function (bytes) {
      var fragment = 's=' + base64url(bytes) + '&t=' + t;
      if (fragment.length > MAX_FRAGMENT_BYTES) {
        throw new Error('the scenario is too large for a link (' + fragment.length +
          ' bytes compressed; at most ' + MAX_FRAGMENT_BYTES + ')');
      }
      return fragment;
    });
  }

  /** Checks an inline `data-fragment` (a link's `s=...&t=...`, as the playground made it). */
  function checkFragment(fragment) {
    var f = String(fragment).replace(/^#/, '');
    if (f.length > MAX_FRAGMENT_BYTES) {
      return Promise.reject(new Error('the scenario is too large for a link (' + f.length +
        ' bytes compressed; at most ' + MAX_FRAGMENT_BYTES + ')'));
    }
    if (!/^s=[A-Za-z0-9_-]+={0,2}(&t=\d+)?$/.test(f)) {
      return Promise.reject(new Error('data-fragment must be s=<scenario>&t=<milliseconds>, as "Copy embed code" gives it'));
    }
    return Promise.resolve(f);
  }

  /** Whether a message from a player has the documented shape. */
  function isPlayerEvent(data) {
    return data !== null && typeof data === 'object' && !Array.isArray(data) &&
      data.kafkaPlayground === PROTOCOL && PLAYER_EVENTS.indexOf(data.type) >= 0;
  }

  /** Checks a message for a player; returns it with the protocol field, or throws. */
  function hostMessage(message) {
    if (message === null || typeof message !== 'object' || HOST_MESSAGES.indexOf(message.type) < 0) {
      throw new Error('a message needs a type: one of ' + HOST_MESSAGES.join(', '));
    }
    if (message.type === 'seek' && !(Number.isInteger(message.ms) && message.ms >= 0)) {
      throw new Error('seek: ms must be a whole number of milliseconds, 0 or more');
    }
    if (message.type === 'console' && typeof message.line !== 'string') {
      throw new Error('console: line must be a string');
    }
    if (message.type === 'load' && (message.scenario === null || typeof message.scenario !== 'object')) {
      throw new Error('load: scenario must be a scenario file as an object');
    }
    var out = { kafkaPlayground: PROTOCOL };
    Object.keys(message).forEach(function (k) { out[k] = message[k]; });
    return out;
  }

  /** The playground's base URL (ending in '/'): the script's data-playground-url or its folder. */
  function playgroundBase(script, pageUrl) {
    var explicit = script && script.getAttribute && script.getAttribute('data-playground-url');
    var src = explicit || (script && script.src) || pageUrl;
    var url = new URL(src, pageUrl);
    if (!explicit) {
      url = new URL('./', url);
    }
    url.search = '';
    url.hash = '';
    return url.href;
  }

  var players = [];

  function showProblem(element, doc, text) {
    var p = doc.createElement('p');
    p.className = 'kafka-playground-error';
    p.textContent = 'Kafka Playground: ' + text;
    element.replaceChildren(p);
  }

  /**
   * Turns one element into a player. `env` carries what a browser gives (document, fetch, the
   * page URL and the playground base) so that tests can supply their own.
   */
  function mount(element, env) {
    var doc = env.document;
    var file = element.getAttribute('data-kafka-playground');
    var height = parseInt(element.getAttribute('data-height') || '480', 10);
    if (!(height >= 200 && height <= 4000)) {
      height = 480;
    }
    var position = element.getAttribute('data-position-ms') || '0';
    var inline = element.getAttribute('data-fragment');
    var terminalAttr = element.getAttribute('data-terminal');
    var terminal = terminalAttr !== null && terminalAttr !== 'false';
    var encoded;
    if (inline !== null) {
      encoded = checkFragment(inline);
    } else if (!file) {
      encoded = Promise.reject(new Error('data-kafka-playground needs a scenario file URL (or data-fragment)'));
    } else {
      var scenarioUrl = new URL(file, env.pageUrl).href;
      encoded = env.fetch(scenarioUrl).then(function (response) {
        if (!response.ok) {
          throw new Error('could not load ' + file + ' (HTTP ' + response.status + ')');
        }
        return response.text();
      }).then(function (text) {
        return encodeFragment(text, position);
      });
    }
    return encoded.then(function (fragment) {
      var iframe = doc.createElement('iframe');
      iframe.src = env.base + '?embed' + (terminal ? '&terminal' : '') + '#' + fragment;
      iframe.title = element.getAttribute('data-title') || 'Kafka Playground' + (file ? ': ' + file : '');
      iframe.setAttribute('loading', 'lazy');
      iframe.setAttribute('allow', 'clipboard-write');
      iframe.style.width = '100%';
      iframe.style.maxWidth = '100%';
      iframe.style.height = height + 'px';
      iframe.style.border = '0';
      element.replaceChildren(iframe);
      var origin = new URL(env.base).origin;
      var handlers = {};
      var player = {
        element: element,
        iframe: iframe,
        origin: origin,
        /** Posts a message to this player only, to the playground's origin only. */
        send: function (message) {
          iframe.contentWindow.postMessage(hostMessage(message), origin);
        },
        /** Calls `handler(event)` for each event of `type` from this player. */
        on: function (type, handler) {
          (handlers[type] = handlers[type] || []).push(handler);
          return player;
        },
        dispatch: function (event) {
          (handlers[event.type] || []).forEach(function (h) { h(event); });
        }
      };
      players.push(player);
      return player;
    }).catch(function (e) {
      showProblem(element, doc, e.message);
      return null;
    });
  }

  /**
   * Routes a `message` event to the player that sent it: only from the playground's origin,
   * only from one of our iframes, only of the documented shape.
   */
  function route(event) {
    if (!isPlayerEvent(event.data)) {
      return false;
    }
    for (var i = 0; i < players.length; i++) {
      var p = players[i];
      if (event.origin === p.origin && event.source === p.iframe.contentWindow) {
        p.dispatch(event.data);
        return true;
      }
    }
    return false;
  }

  /** Mounts every `[data-kafka-playground]` element not mounted yet. */
  function mountAll(env) {
    var elements = env.document.querySelectorAll('[data-kafka-playground]');
    var started = [];
    Array.prototype.forEach.call(elements, function (el) {
      if (el.getAttribute('data-kafka-playground-mounted') === null) {
        el.setAttribute('data-kafka-playground-mounted', '');
        started.push(mount(el, env));
      }
    });
    return Promise.all(started);
  }

  var api = {
    PROTOCOL: PROTOCOL,
    MAX_FRAGMENT_BYTES: MAX_FRAGMENT_BYTES,
    base64url: base64url,
    deflateRaw: deflateRaw,
    encodeFragment: encodeFragment,
    checkFragment: checkFragment,
    isPlayerEvent: isPlayerEvent,
    hostMessage: hostMessage,
    playgroundBase: playgroundBase,
    mount: mount,
    mountAll: mountAll,
    route: route,
    players: players
  };

  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  }
  if (typeof document !== 'undefined' && typeof window !== 'undefined') {
    var script = document.currentScript;
    var env = {
      document: document,
      fetch: window.fetch.bind(window),
      pageUrl: document.baseURI,
      base: playgroundBase(script, document.baseURI)
    };
    window.addEventListener('message', route);
    /** Resolves with the page's players (null for an element that could not be mounted). */
    api.mounted = new Promise(function (resolve) {
      var start = function () { resolve(mountAll(env)); };
      if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
      } else {
        start();
      }
    });
    root.KafkaPlayground = api;
  }
})(typeof window !== 'undefined' ? window : globalThis);
