// 清远普法调解助手 — web chat. Plain JS, no external assets; all text rendered with textContent (no HTML injection).
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var typing = document.getElementById("typing");
  var largeButton = document.getElementById("large-text");
  var HISTORY_KEY = "qy-history";
  var busy = false;

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // The sender id is random per browser (never a phone number) and kept so a reload continues the conversation.
  var sender = localStorage.getItem("qy-sender");
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(sender || "")) {
    sender = randomId();
    localStorage.setItem("qy-sender", sender);
  }

  function setLarge(on) {
    document.body.classList.toggle("large", on);
    largeButton.setAttribute("aria-pressed", on ? "true" : "false");
    localStorage.setItem("qy-large", on ? "1" : "0");
  }
  setLarge(localStorage.getItem("qy-large") === "1");
  largeButton.addEventListener("click", function () { setLarge(!document.body.classList.contains("large")); });

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; window.scrollTo(0, document.body.scrollHeight); }

  function citationCard(citation) {
    var card = el("details", "citation");
    card.appendChild(el("summary", null, "《" + citation.law + "》" + citation.article + "（点开看原文）"));
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

  function renderBot(message, bubbleParent) {
    var bubble = bubbleParent;
    if (message.text) {
      bubble = el("div", "msg bot");
      bubble.appendChild(el("p", null, message.text));
      log.appendChild(bubble);
    }
    var custom = message.custom;
    if (custom && typeof custom === "object") {
      var host = bubble || el("div", "msg bot");
      if (!bubble) log.appendChild(host);
      (custom.citations || []).forEach(function (c) { host.appendChild(citationCard(c)); });
      if (custom.kind === "referral_created") host.appendChild(referralCard(custom));
      if (custom.kind === "emergency") host.classList.add("emergency");
      bubble = host;
    }
    if (message.buttons && message.buttons.length) {
      var row = el("div", "quick-replies");
      message.buttons.forEach(function (b) {
        var button = el("button", "quick", b.title);
        button.type = "button";
        button.addEventListener("click", function () { send(b.payload, b.title); });
        row.appendChild(button);
      });
      log.appendChild(row);
    }
    return bubble;
  }

  function renderUser(text) {
    var bubble = el("div", "msg user");
    bubble.appendChild(el("p", null, text));
    log.appendChild(bubble);
  }

  function history() {
    try { return JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]"); } catch (e) { return []; }
  }
  function remember(entry) {
    var items = history();
    items.push(entry);
    sessionStorage.setItem(HISTORY_KEY, JSON.stringify(items.slice(-200)));
  }

  function renderReply(messages) {
    var last = null;
    messages.forEach(function (m) { last = renderBot(m, m.text ? null : last); });
    scrollDown();
  }

  function post(body, attempt) {
    return fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return data; });
    }).catch(function (error) {
      // Dropped connection: retry with backoff, keeping the same sender so the conversation continues.
      if (attempt < 3) {
        return new Promise(function (resolve) { setTimeout(resolve, 800 * (attempt + 1)); })
          .then(function () { return post(body, attempt + 1); });
      }
      return { messages: [{ text: "网络连接中断了，请检查网络后再发一次。紧急情况请直接拨打110或120。" }] };
    });
  }

  function send(payload, shown) {
    if (busy) return;
    var text = (payload || "").trim();
    if (!text) return;
    busy = true;
    if (shown !== null) {
      renderUser(shown || text);
      remember({ who: "user", text: shown || text });
    }
    typing.hidden = false;
    scrollDown();
    post({ sender: sender, message: text }, 0).then(function (data) {
      var messages = data.messages || [];
      renderReply(messages);
      remember({ who: "bot", messages: messages });
    }).finally(function () {
      typing.hidden = true;
      busy = false;
      scrollDown();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  var past = history();
  if (past.length) {
    past.forEach(function (item) { if (item.who === "user") renderUser(item.text); else renderReply(item.messages); });
  } else {
    send("/greet", null);
  }
})();
