// 清远普法调解助手 — web chat. Plain JS, no external assets; all text rendered with textContent (no HTML injection).
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var typing = document.getElementById("typing");
  var largeButton = document.getElementById("large-text");
  var TYPING_TEXT = typing.textContent;
  var HISTORY_KEY = "qy-history";
  var SENDER_KEY = "qy-sender";
  var busy = false;

  // Storage can be blocked (private mode, some in-app browsers): the chat must still work, just without memory.
  function storage(name) {
    try {
      var s = window[name];
      s.setItem("qy-probe", "1");
      s.removeItem("qy-probe");
      return s;
    } catch (e) { return null; }
  }
  var local = storage("localStorage");
  var session = storage("sessionStorage");
  function load(store, key) { return store ? store.getItem(key) : null; }
  function save(store, key, value) {
    try { if (store) store.setItem(key, value); } catch (e) { /* full: keep chatting without saving */ }
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // The sender id is random per tab (never a phone number). It lives exactly as long as the shown history
  // (sessionStorage): a reload continues the conversation, while a new tab or the next person on a shared
  // phone starts afresh instead of silently continuing someone else's conversation.
  var sender = load(session, SENDER_KEY);
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(sender || "")) {
    sender = randomId();
    save(session, SENDER_KEY, sender);
  }
  if (local) local.removeItem(SENDER_KEY); // written by earlier versions of this page

  function setLarge(on) {
    document.body.classList.toggle("large", on);
    largeButton.setAttribute("aria-pressed", on ? "true" : "false");
    save(local, "qy-large", on ? "1" : "0");
    fitInput();
  }
  largeButton.addEventListener("click", function () { setLarge(!document.body.classList.contains("large")); });

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scrollDown() { window.scrollTo(0, document.body.scrollHeight); }

  // A long answer is read from its start: bring the reply's first bubble up under the header.
  function showFrom(node) {
    if (node) node.scrollIntoView({ block: "start" }); else scrollDown();
  }

  function citationCard(citation) {
    var card = el("details", "citation");
    // cited_as names the version quoted (and an interpretation by its title); older payloads only had law + article
    var summary = el("summary", null, citation.cited_as || "《" + citation.law + "》" + citation.article);
    summary.appendChild(el("span", "hint", "（点开看原文）"));
    card.appendChild(summary);
    card.appendChild(el("p", "article-text", citation.text));
    return card;
  }

  function referralCard(custom) {
    var card = el("div", "card referral");
    card.appendChild(el("strong", null, "申请编号：" + custom.reference));
    if (custom.org) card.appendChild(el("p", null, "受理组织：" + custom.org.name));
    if (custom.reason) card.appendChild(el("p", "muted", custom.reason));
    return card;
  }

  function hasCard(custom) {
    return (custom.citations && custom.citations.length) || custom.kind === "referral_created" ||
      custom.kind === "emergency";
  }

  function quickReplies(buttons) {
    var row = el("div", "quick-replies");
    buttons.forEach(function (b) {
      var button = el("button", "quick", b.title);
      button.type = "button";
      button.addEventListener("click", function () { send(b.payload, b.title); });
      row.appendChild(button);
    });
    log.appendChild(row);
  }

  // Rasa's REST channel splits one response into a message per paragraph and sends its custom payload
  // after them; the paragraphs of one response are shown in one bubble, with the payload's cards under them.
  function renderReply(messages) {
    var bubble = null;
    var first = null;
    var open = false;
    messages.forEach(function (m) {
      if (m.text) {
        if (!open) {
          bubble = el("div", "msg bot");
          log.appendChild(bubble);
          first = first || bubble;
        }
        bubble.appendChild(el("p", null, m.text));
        open = true;
      }
      var custom = m.custom;
      if (custom && typeof custom === "object") {
        if (!bubble && hasCard(custom)) {
          bubble = el("div", "msg bot");
          log.appendChild(bubble);
          first = first || bubble;
        }
        if (bubble) {
          (custom.citations || []).forEach(function (c) { bubble.appendChild(citationCard(c)); });
          if (custom.kind === "referral_created") bubble.appendChild(referralCard(custom));
          if (custom.kind === "emergency") bubble.classList.add("emergency");
        }
        open = false;
      }
      if (m.buttons && m.buttons.length) {
        quickReplies(m.buttons);
        open = false;
      }
    });
    return first;
  }

  function renderUser(text) {
    var bubble = el("div", "msg user");
    bubble.appendChild(el("p", null, text));
    log.appendChild(bubble);
    return bubble;
  }

  // Buttons answer the question they came with; once the citizen has answered, they cannot be pressed again.
  function retireButtons() {
    Array.prototype.forEach.call(log.querySelectorAll(".quick"), function (b) { b.disabled = true; });
  }

  function history() {
    try { return JSON.parse(load(session, HISTORY_KEY) || "[]"); } catch (e) { return []; }
  }
  function remember(entry) {
    var items = history();
    items.push(entry);
    save(session, HISTORY_KEY, JSON.stringify(items.slice(-200)));
  }

  function pause(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function post(body, attempt) {
    return fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json();
    }).catch(function () {
      // Dropped connection: retry with backoff, keeping the same sender so the conversation continues.
      if (attempt < 3) {
        typing.textContent = typing.getAttribute("data-reconnecting");
        return pause(800 * (attempt + 1)).then(function () { return post(body, attempt + 1); });
      }
      return { messages: [{ text: typing.getAttribute("data-offline") }] };
    });
  }

  function send(payload, shown) {
    if (busy) return false;
    var text = (payload || "").trim();
    if (!text) return false;
    busy = true;
    retireButtons();
    if (shown !== null) {
      renderUser(shown || text);
      remember({ who: "user", text: shown || text });
    }
    typing.textContent = TYPING_TEXT;
    typing.hidden = false;
    scrollDown();
    // One id per message, kept across retries: the server forwards it to the bot once.
    post({ sender: sender, message: text, id: randomId() }, 0).then(function (data) {
      var messages = (data && data.messages) || [];
      typing.hidden = true;
      showFrom(renderReply(messages));
      remember({ who: "bot", messages: messages });
    }).finally(function () {
      typing.hidden = true;
      busy = false;
    });
    return true;
  }

  // The box grows with what is typed (up to a few lines, see app.css) so a longer story can be read back.
  function fitInput() {
    input.style.height = "auto";
    input.style.height = input.scrollHeight + 2 + "px";
  }
  input.addEventListener("input", fitInput);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    // While a reply is on its way the text stays in the box, so nothing typed is lost.
    if (send(input.value)) {
      input.value = "";
      fitInput();
    }
  });
  input.addEventListener("keydown", function (event) {
    // Enter that confirms a pinyin candidate (IME composition) must not send the half-typed message.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  setLarge(load(local, "qy-large") === "1");
  var past = history();
  if (past.length) {
    var last = null;
    past.forEach(function (item) {
      if (item.who === "user") {
        retireButtons();
        last = renderUser(item.text);
      } else {
        last = renderReply(item.messages || []) || last;
      }
    });
    showFrom(last);
  } else {
    send("/greet", null);
  }
})();
