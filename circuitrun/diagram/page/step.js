// The step-through page of `circuitrun graph --format html`: state k shows the run after
// its first k steps.  Every text comes from the JSON in the page; nothing is computed here
// but which step set each label last.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("steps").textContent);
  const steps = data.steps;
  const svg = document.querySelector("#picture svg");
  const labels = Array.from(svg.querySelectorAll("text[data-part]"));
  const boxes = Array.from(svg.querySelectorAll("g[data-node]"));
  const wires = Array.from(svg.querySelectorAll("path[data-src]"));
  const line = document.getElementById("line");
  const phase = document.getElementById("phase");
  const counter = document.getElementById("counter");
  const buttons = {};
  for (const id of ["home", "prev", "next", "end"]) {
    buttons[id] = document.getElementById(id);
  }
  let at = 0;

  function show(k) {
    at = Math.max(0, Math.min(steps.length, k));
    // The label of each node and part, as the last step up to `at` set it.
    const shown = new Map();
    for (let i = 0; i < at; i++) {
      const s = steps[i];
      if (s.label !== null) {
        shown.set(s.node + "\u0000" + (s.phase === "forward" ? "value" : "grad"), s.label);
      }
    }
    for (const t of labels) {
      t.textContent = shown.get(t.dataset.node + "\u0000" + t.dataset.part) || "";
    }
    const step = at > 0 ? steps[at - 1] : null;
    for (const b of boxes) {
      b.classList.toggle("current", step !== null &&
        (b.dataset.node === step.node || b.dataset.node === step.gate));
    }
    // The wires the step uses: into a gate (forward), from a gate back to an input
    // (backward); a routed wire has a destination, its source's stub lights up with it.
    const lit = new Map();
    for (const w of wires) {
      if (step === null || w.dataset.dst === undefined) continue;
      if (step.phase === "forward" && step.kind === "gate" && w.dataset.dst === step.node) {
        lit.set(w, "forward");
      } else if (step.phase === "backward" && step.gate !== null &&
                 w.dataset.src === step.node && w.dataset.dst === step.gate) {
        lit.set(w, "backward");
      }
    }
    const stubs = new Map();
    for (const [w, how] of lit) stubs.set(w.dataset.src, how);
    for (const w of wires) {
      const how = w.dataset.dst === undefined ? stubs.get(w.dataset.src) : lit.get(w);
      w.classList.toggle("forward", how === "forward");
      w.classList.toggle("backward", how === "backward");
    }
    line.textContent = step ? step.text : (steps.length ?
      "Press \u2192 (or \u25B6) to start the forward pass." : "No values to step through.");
    line.className = step ? step.phase : "";
    phase.textContent = step ? step.phase + " pass" : "";
    phase.className = step ? step.phase : "";
    counter.textContent = "step " + at + " / " + steps.length;
    buttons.home.disabled = buttons.prev.disabled = at === 0;
    buttons.end.disabled = buttons.next.disabled = at === steps.length;
    document.body.dataset.step = String(at);
  }

  function select(name) {
    const lines = data.chains[name] || [];
    document.getElementById("chain-title").textContent = name + ": its value and its gradient";
    const list = document.getElementById("chain-lines");
    list.replaceChildren(...lines.map(function (text) {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
    document.getElementById("chain").hidden = false;
    for (const b of boxes) {
      b.classList.toggle("selected", b.dataset.node === name);
    }
  }

  buttons.home.addEventListener("click", function () { show(0); });
  buttons.prev.addEventListener("click", function () { show(at - 1); });
  buttons.next.addEventListener("click", function () { show(at + 1); });
  buttons.end.addEventListener("click", function () { show(steps.length); });
  for (const b of boxes) {
    b.addEventListener("click", function () { select(b.dataset.node); });
  }
  document.addEventListener("keydown", function (e) {
    const moves = {
      ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
      Home: 0, End: steps.length,
    };
    if (e.key in moves && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      show(moves[e.key]);
    }
  });
  show(0);
}());
