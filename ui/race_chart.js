// The compare page's race, moved by the browser (prepended to plotly_chart.js).
//
// Python sends, once per configuration, every optimizer's paths at K learning rates
// (figures/race_motion.py) and three static figures (figures/race_panels.py) whose per-optimizer
// traces are empty. Here the α scrubber picks one of the K runs and Play/Pause/step/speed pick
// the step; each change fills those traces: Plotly.animate without redraw for the 2D plots
// (only the moving traces are redrawn, never the contour) and Plotly.restyle for the 3D scene.
// Nothing goes back to the server.

function u16(b64) {
  const bin = atob(b64);
  const out = new Uint16Array(bin.length >> 1);
  for (let i = 0; i < out.length; i++) {
    out[i] = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
  }
  return out;
}

// Whole numbers in LEB128 (7 bits a byte, the high bit set on all but a number's last byte).
function unvarint(b64, count) {
  const bin = atob(b64);
  const out = new Uint32Array(count);
  let n = 0;
  let v = 0;
  let shift = 0;
  for (let i = 0; i < bin.length && n < count; i++) {
    const byte = bin.charCodeAt(i);
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) {
      out[n++] = v;
      v = 0;
      shift = 0;
    }
  }
  return out;
}

// A Plotly typed-array spec ({dtype: "f4", bdata, shape}) as a Float64Array.
function plotlyArray(spec) {
  if (!spec || !spec.bdata) return Float64Array.from(spec || []);
  const bin = atob(spec.bdata);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const Type = { f4: Float32Array, f8: Float64Array }[spec.dtype] || Float32Array;
  return Float64Array.from(new Type(bytes.buffer));
}

class RaceData {
  constructor(m, surfaceFigure) {
    this.m = m;
    this.K = m.factors.length;
    this.T = m.steps;
    // Kept steps: per run, the differences from the previous kept step.
    this.idx = unvarint(m.idx, m.offsets[m.offsets.length - 1]);
    for (let r = 0; r + 1 < m.offsets.length; r++) {
      for (let i = m.offsets[r] + 1; i < m.offsets[r + 1]; i++) this.idx[i] += this.idx[i - 1];
    }
    const scale = (q, [lo, hi]) => Float64Array.from(q, (v) => lo + (v / 65535) * (hi - lo));
    this.x = scale(u16(m.x), m.ranges.x);
    this.y = scale(u16(m.y), m.ranges.y);
    this.v = scale(u16(m.loss), m.ranges.loss); // log10(loss - floor + eps)
    const surface = surfaceFigure.data.find((t) => t.uid === "surface");
    this.mesh = plotlyArray(surface.z);
    this.meshX = plotlyArray(surface.x);
    this.meshY = plotlyArray(surface.y);
  }
  run(o, k) {
    const r = o * this.K + k;
    return { r, lo: this.m.offsets[r], hi: this.m.offsets[r + 1], d: this.m.diverged[r] };
  }
  // The loss from its transport coordinate; never below the lowest loss sent (a rounding
  // of 10 ** v - eps would print a tiny negative number there).
  loss(v) {
    return Math.max(0, 10 ** v - this.m.loss_eps) + this.m.loss_floor;
  }
  // The last step drawn: a diverged run stops at its last good point.
  end(run) {
    return run.d >= 0 ? Math.max(0, run.d - 1) : this.T;
  }
  // x, y, v of the run at step s, interpolated between its kept steps.
  at(run, s) {
    const { idx } = this;
    let lo = run.lo;
    let hi = run.hi - 1;
    if (s <= idx[lo]) return [this.x[lo], this.y[lo], this.v[lo]];
    if (s >= idx[hi]) return [this.x[hi], this.y[hi], this.v[hi]];
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (idx[mid] <= s) lo = mid;
      else hi = mid;
    }
    const f = (s - idx[lo]) / (idx[hi] - idx[lo]);
    const mix = (a) => a[lo] + f * (a[hi] - a[lo]);
    return [mix(this.x), mix(this.y), mix(this.v)];
  }
  // The kept points with step < s, then the point at s: the path up to step s.
  upto(run, s) {
    const xs = [];
    const ys = [];
    const vs = [];
    const steps = [];
    for (let i = run.lo; i < run.hi && this.idx[i] < s; i++) {
      xs.push(this.x[i]);
      ys.push(this.y[i]);
      vs.push(this.v[i]);
      steps.push(this.idx[i]);
    }
    const [x, y, v] = this.at(run, s);
    xs.push(x);
    ys.push(y);
    vs.push(v);
    steps.push(s);
    return { xs, ys, vs, steps };
  }
  // The mesh under (x, y): bilinear, and the highest of the four corners around it.
  under(x, y) {
    const n = this.meshX.length;
    const fx = ((x - this.meshX[0]) / (this.meshX[n - 1] - this.meshX[0])) * (n - 1);
    const fy = ((y - this.meshY[0]) / (this.meshY[n - 1] - this.meshY[0])) * (n - 1);
    if (!(fx >= 0 && fx <= n - 1 && fy >= 0 && fy <= n - 1)) return [NaN, NaN];
    const i = Math.min(Math.floor(fx), n - 2);
    const j = Math.min(Math.floor(fy), n - 2);
    const tx = fx - i;
    const ty = fy - j;
    const z = (a, b) => this.mesh[b * n + a];
    const bilinear =
      z(i, j) * (1 - tx) * (1 - ty) +
      z(i + 1, j) * tx * (1 - ty) +
      z(i, j + 1) * (1 - tx) * ty +
      z(i + 1, j + 1) * tx * ty;
    return [bilinear, Math.max(z(i, j), z(i + 1, j), z(i, j + 1), z(i + 1, j + 1))];
  }
  height(loss) {
    const h = this.m.lift;
    return h.log ? Math.log10(Math.max(loss - h.floor, 0) + h.eps) : loss;
  }
  // Heights of a path drawn just above the surface, and of a marker clear of every facet.
  lifted(xs, ys, vs) {
    const lift = this.m.lift.lift;
    return xs.map((x, i) => {
      const [bilinear] = this.under(x, ys[i]);
      const z = Math.max(this.height(this.loss(vs[i])), bilinear) + lift;
      return Number.isFinite(z) ? z : null;
    });
  }
  headHeight(x, y, v) {
    const lift = this.m.lift.lift;
    const [bilinear, top] = this.under(x, y);
    const z = Math.max(this.height(this.loss(v)), bilinear, top) + 2 * lift;
    return Number.isFinite(z) ? z : null;
  }
}

const fmt = (v) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toPrecision(3));
const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4];
const RUN_SECONDS = 10; // a whole run at 1×

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}

const SVGNS = "http://www.w3.org/2000/svg";

// A Plotly line dash (figures/style.py's OPTIMIZER_DASHES) as an SVG stroke-dasharray, the
// way plotly.js draws it for a line of this width.
function dashArray(dash, width) {
  const w = Math.max(width, 3);
  const parts = {
    dot: [w, w],
    dash: [3 * w, 3 * w],
    longdash: [5 * w, 5 * w],
    dashdot: [3 * w, w, w, w],
    longdashdot: [5 * w, 2 * w, w, 2 * w],
  }[dash];
  return parts ? parts.join(",") : "none";
}

// The legend's sample of an optimizer's line: its colour and its dash.
function swatch(o) {
  const svg = document.createElementNS(SVGNS, "svg");
  svg.setAttribute("class", "descent-swatch");
  svg.setAttribute("viewBox", "0 0 46 10");
  const line = document.createElementNS(SVGNS, "line");
  const attrs = { x1: 1, y1: 5, x2: 45, y2: 5, stroke: o.color, "stroke-width": 3 };
  attrs["stroke-dasharray"] = dashArray(o.dash, 2);
  for (const [k, v] of Object.entries(attrs)) line.setAttribute(k, v);
  svg.append(line);
  return svg;
}

// What moves with the step on a 2D plot (trails, heads, the step line), drawn in an SVG laid
// over the plot area: moving them costs a few attribute writes, where a Plotly redraw of the
// plot costs about 0.1 s on a machine without a GPU. Each mark keeps its data coordinates in
// data-x and data-y.
class Overlay {
  constructor(panel, gd, axes = ["xaxis", "yaxis"]) {
    this.gd = gd;
    this.axes = axes; // a subplot's axes (the SGD lab draws over two)
    this.svg = document.createElementNS(SVGNS, "svg");
    this.svg.setAttribute("class", "descent-overlay");
    panel.append(this.svg);
    this.marks = {};
  }
  // Lay the SVG over the plot area; false until Plotly has drawn the axes.
  place() {
    const layout = this.gd._fullLayout;
    const [xname, yname] = this.axes;
    if (!layout || !layout[xname] || !layout[xname]._length) return false;
    this.xa = layout[xname];
    this.ya = layout[yname];
    Object.assign(this.svg.style, {
      left: `${this.xa._offset}px`,
      top: `${this.ya._offset}px`,
      width: `${this.xa._length}px`,
      height: `${this.ya._length}px`,
    });
    return true;
  }
  mark(key, tag, attrs) {
    let node = this.marks[key];
    if (!node) {
      node = document.createElementNS(SVGNS, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      node.setAttribute("data-uid", key);
      this.svg.append(node);
      this.marks[key] = node;
    }
    return node;
  }
  px(x) {
    return this.xa.c2p(x);
  }
  py(y) {
    return this.ya.c2p(y);
  }
  line(key, xs, ys, attrs) {
    const node = this.mark(key, "path", Object.assign({ fill: "none" }, attrs));
    let d = "";
    for (let i = 0; i < xs.length; i++) {
      const px = this.px(xs[i]);
      const py = this.py(ys[i]);
      if (Number.isFinite(px) && Number.isFinite(py)) {
        d += `${d ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`;
      }
    }
    node.setAttribute("d", d);
    node.dataset.x = JSON.stringify(xs.slice(-1));
  }
  // A disc, an "x" or nothing (x == null) at (x, y).
  point(key, x, y, { shape = "circle", size, color }) {
    const node = this.mark(key, "path", { fill: color, stroke: "#FFFFFF", "stroke-width": 1 });
    if (x == null || !Number.isFinite(this.px(x)) || !Number.isFinite(this.py(y))) {
      node.setAttribute("d", "");
      node.dataset.x = "[]";
      node.dataset.y = "[]";
      return;
    }
    const px = this.px(x).toFixed(1);
    const py = this.py(y).toFixed(1);
    const r = size / 2;
    if (shape === "x") {
      const a = r * 0.75;
      node.setAttribute("stroke", color);
      node.setAttribute("stroke-width", 3);
      node.setAttribute("d", `M${px - a},${py - a}l${2 * a},${2 * a}m0,${-2 * a}l${-2 * a},${2 * a}`);
    } else {
      node.setAttribute("d", `M${px - r},${py}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`);
    }
    node.dataset.x = JSON.stringify([x]);
    node.dataset.y = JSON.stringify([y]);
  }
}

// Play/Pause, ±1 step, speed and a step slider over steps 0..T, and Space/←/→ while `root`
// has the focus: the compare page's race and the SGD lab's epoch. `show(step)` draws a step;
// `rate(T)` is the steps per second at 1×; `onPause()` runs when playing stops.
class StepControls {
  constructor(root, show, rate, onPause = () => {}) {
    this.root = root;
    this.show = show;
    this.rate = rate;
    this.onPause = onPause;
    this.T = 0;
    this.s = 0;
    this.speed = 1;
    this.playing = false;
    const time = el("div", { class: "descent-time" });
    this.time = time;
    this.playButton = el("button", { type: "button", class: "descent-play" }, "▶ Play");
    this.backButton = el("button", { type: "button", title: "One step back (←)" }, "◀");
    this.forwardButton = el("button", { type: "button", title: "One step forward (→)" }, "▶|");
    this.speedSelect = el("select", { "aria-label": "speed" });
    for (const s of SPEEDS) this.speedSelect.append(el("option", { value: String(s) }, `${s}×`));
    this.speedSelect.value = "1";
    this.stepInput = el("input", { type: "range", min: "0", step: "1", "aria-label": "step" });
    this.stepText = el("output", { class: "descent-step-text" });
    time.append(this.playButton, this.backButton, this.forwardButton, this.speedSelect);
    time.append(this.stepInput, this.stepText);
    this.stepInput.addEventListener("input", () => {
      this.pause();
      this.setStep(Number(this.stepInput.value));
    });
    this.playButton.addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    this.backButton.addEventListener("click", () => this.nudge(-1));
    this.forwardButton.addEventListener("click", () => this.nudge(1));
    this.speedSelect.addEventListener("change", () => {
      this.speed = Number(this.speedSelect.value); // the next frame uses it; the step stays
    });
    root.addEventListener("keydown", (event) => {
      const tag = event.target.tagName;
      if (tag === "INPUT" || tag === "SELECT" || tag === "BUTTON") return; // their own keys
      if (event.key === " ") this.playing ? this.pause() : this.play();
      else if (event.key === "ArrowLeft") this.nudge(-1);
      else if (event.key === "ArrowRight") this.nudge(1);
      else return;
      event.preventDefault();
    });
  }
  // A new run's length, at step s; drawn unless `draw` is false (the caller draws).
  setRange(T, s, draw = true) {
    this.T = T;
    this.stepInput.max = String(T);
    this.setStep(s, draw);
  }
  setStep(s, draw = true) {
    this.s = Math.max(0, Math.min(this.T, Math.round(s)));
    this.stepInput.value = String(this.s);
    this.stepText.textContent = `step ${this.s} / ${this.T}`;
    if (draw) this.show(this.s);
  }
  nudge(by) {
    this.pause();
    this.setStep(this.s + by);
  }
  play() {
    if (this.playing) return;
    if (this.s >= this.T) this.setStep(0); // at the end, Play starts over
    this.playing = true;
    this.playButton.textContent = "❚❚ Pause";
    let carry = 0;
    let last = performance.now();
    const tick = (now) => {
      if (!this.playing) return;
      const perSecond = this.speed * this.rate(this.T);
      carry += (Math.max(0, now - last) / 1000) * perSecond;
      last = now;
      const n = Math.floor(carry);
      if (n >= 1) {
        carry -= n;
        this.setStep(this.s + n);
      }
      if (this.s >= this.T) this.pause();
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.playButton.textContent = "▶ Play";
    this.onPause();
  }
}

class Race {
  constructor(root, setTriggerValue) {
    this.root = root;
    this.setTriggerValue = setTriggerValue;
    this.k = 0;
    this.wanted = 0; // bumped on every α change; each Plotly plot draws the newest
    this.plots = {};
    this.surfaceCost = Infinity; // ms of the last 3D update: live while playing only if cheap
    root.className = "descent-race";
    root.setAttribute("data-testid", "descent-chart");
    root.tabIndex = 0;
    const controls = el("div", { class: "descent-controls" });
    const scrub = el("div", { class: "descent-alpha", "data-testid": "alpha-scrub" });
    this.alphaInput = el("input", { type: "range", min: "0", step: "1", "aria-label": "α factor" });
    this.alphaText = el("output", { class: "descent-alpha-text" });
    scrub.append(el("span", {}, "α ×"), this.alphaInput, this.alphaText);
    this.steps = new StepControls(
      root,
      () => this.change(false),
      (T) => Math.max(T, 10) / RUN_SECONDS,
      () => this.surfaceLater()
    );
    controls.append(scrub, this.steps.time);
    const panels = el("div", { class: "descent-panels" });
    const panel = (name) => {
      const wrap = el("div", { class: `descent-panel descent-panel-${name}` });
      const div = el("div", { class: `descent-plot descent-${name}` });
      wrap.append(div);
      return [wrap, div];
    };
    const [contourPanel, contourDiv] = panel("contour");
    const [surfacePanel, surfaceDiv] = panel("surface");
    const [lossPanel, lossDiv] = panel("loss");
    this.contourDiv = contourDiv;
    this.surfaceDiv = surfaceDiv;
    this.lossDiv = lossDiv;
    this.overlays = { contour: new Overlay(contourPanel, contourDiv), loss: new Overlay(lossPanel, lossDiv) };
    panels.append(contourPanel, surfacePanel);
    this.readout = el("div", { class: "descent-readout", "aria-live": "off" });
    root.append(controls, panels, this.readout, lossPanel);

    this.alphaInput.addEventListener("input", () => this.setAlpha(Number(this.alphaInput.value)));
  }

  get s() {
    return this.steps.s;
  }

  get playing() {
    return this.steps.playing;
  }

  // New data from Python (a first render or a changed configuration).
  load(data) {
    const fresh = !this.data;
    // The three figures share one template, sent once.
    const figures = {};
    for (const name of ["contour", "surface", "loss"]) {
      const fig = data.race[name];
      figures[name] = Object.assign({}, fig, {
        layout: Object.assign({ template: data.race.template }, fig.layout),
      });
    }
    const lrs = JSON.stringify(data.race.motion.optimizers.map((o) => o.lr));
    this.pause();
    this.data = new RaceData(data.race.motion, figures.surface);
    this.figures = figures;
    this.config = Object.assign({ responsive: false }, data.config || {});
    const { K, T } = this.data;
    if (fresh || lrs !== this.lrs || this.k >= K) this.k = data.race.motion.centre;
    this.lrs = lrs;
    this.steps.setRange(T, fresh ? T : Math.min(this.s, T), false); // drawn below
    this.alphaInput.max = String(K - 1);
    this.alphaInput.value = String(this.k);
    for (const overlay of Object.values(this.overlays)) {
      overlay.svg.replaceChildren();
      overlay.marks = {};
    }
    for (const name of ["contour", "surface", "loss"]) {
      const fig = figures[name];
      this.plots[name] = this.plots[name] || {};
      this.plots[name].index = Object.fromEntries(fig.data.map((t, i) => [t.uid, i]));
      this.plots[name].fresh = true; // draw the whole figure once
    }
    this.change(true);
  }

  setAlpha(k) {
    this.k = Math.max(0, Math.min(this.data.K - 1, Math.round(k)));
    this.alphaInput.value = String(this.k);
    this.change(true);
  }

  setStep(s) {
    this.steps.setStep(s);
  }

  nudge(by) {
    this.steps.nudge(by);
  }

  play() {
    if (this.data) this.steps.play();
  }

  pause() {
    this.steps.pause();
  }

  change(alpha) {
    if (alpha) this.wanted++;
    this.updateText();
    this.drawOverlays();
    if (alpha) {
      this.drawLater("contour");
      this.drawLater("loss");
    }
    this.surfaceLater();
  }

  // The 3D scene follows at once when that is cheap; in software rendering an update takes
  // about a second, so while playing or scrubbing it follows when things come to rest.
  surfaceLater() {
    clearTimeout(this.surfaceTimer);
    if (this.surfaceCost < 40) return this.drawLater("surface");
    if (this.playing) return;
    this.surfaceTimer = setTimeout(() => this.drawLater("surface"), 250);
  }

  updateText() {
    const { m } = this.data;
    const factor = m.factors[this.k];
    this.alphaText.textContent = factor === 1 ? "1 (the sidebar's α)" : fmt(factor);
    const rows = m.optimizers.map((o, i) => {
      const run = this.data.run(i, this.k);
      const alpha = o.lr * factor;
      let status;
      if (run.d >= 0 && this.s >= run.d) status = `diverged at step ${run.d}`;
      else {
        const loss = this.data.loss(this.data.at(run, this.s)[2]);
        status = `loss ${fmt(loss)}` + (run.d >= 0 ? ` (diverges at step ${run.d})` : "");
      }
      return { o, alpha, status, diverged: run.d >= 0 };
    });
    this.readout.replaceChildren(
      el("span", { class: "descent-readout-step" }, `Step ${this.s}:`),
      ...rows.map(({ o, alpha, status, diverged }) => {
        const item = el("span", { class: diverged ? "descent-run diverged" : "descent-run" });
        item.append(swatch(o), el("b", {}, o.label), ` α = ${fmt(alpha)}, ${status}`);
        return item;
      }),
    );
  }

  // Trails, heads and divergence marks on the contour; the step line and heads on the loss.
  drawOverlays() {
    const { data } = this;
    const contour = this.overlays.contour;
    const loss = this.overlays.loss;
    const onContour = this.plots.contour && this.plots.contour.ready && contour.place();
    const onLoss = this.plots.loss && this.plots.loss.ready && loss.place();
    if (onLoss) {
      const [lo, hi] = data.m.loss_axis.range;
      loss.line("lossstep", [this.s, this.s], [10 ** lo, 10 ** hi], {
        stroke: "#888888",
        "stroke-dasharray": "3,3",
      });
    }
    data.m.optimizers.forEach((o, i) => {
      const run = data.run(i, this.k);
      const end = data.end(run);
      const s = Math.min(this.s, end);
      const gone = run.d >= 0 && this.s >= run.d;
      const [hx, hy, hv] = data.at(run, s);
      if (onContour) {
        const trail = data.upto(run, s);
        contour.line(`trail2d-${i}`, trail.xs, trail.ys, {
          stroke: o.color,
          "stroke-width": 2.5,
          "stroke-dasharray": dashArray(o.dash, 2.5),
        });
        const stop = gone ? data.m.stops[run.r] : null;
        contour.point(`stop2d-${i}`, stop && stop[0], stop && stop[1], {
          shape: "x",
          size: Math.max(o.size, 14),
          color: o.color,
        });
      }
      if (onLoss) {
        const bottom = 10 ** data.m.loss_axis.range[0];
        const y = gone ? null : Math.max(bottom, data.loss(hv) + data.m.loss_axis.shift);
        loss.point(`losshead-${i}`, gone ? null : s, y, { size: 9, color: o.color });
      }
    });
    // Heads last, so they are drawn over every trail.
    if (onContour) {
      data.m.optimizers.forEach((o, i) => {
        const run = data.run(i, this.k);
        const gone = run.d >= 0 && this.s >= run.d;
        const [hx, hy] = data.at(run, Math.min(this.s, data.end(run)));
        contour.point(`head2d-${i}`, gone ? null : hx, hy, { size: o.size, color: o.color });
      });
    }
  }

  drawLater(name) {
    const plot = this.plots[name];
    if (!plot || plot.busy || !plot.ready) return;
    // The 3D scene shows the step too; the 2D plots only α (their overlays show the step).
    const key = name === "surface" ? `${this.wanted}:${this.s}` : this.wanted;
    if (plot.drawn === key && !plot.fresh) return;
    plot.busy = true;
    const started = performance.now();
    Promise.resolve()
      .then(() => this.draw(name))
      .catch((error) => console.warn("descent race:", error))
      .then(() => {
        plot.busy = false;
        plot.drawn = key;
        if (name === "surface") this.surfaceCost = performance.now() - started;
        else this.drawOverlays(); // the axes may have moved
        const now = name === "surface" ? `${this.wanted}:${this.s}` : this.wanted;
        if (now !== key) {
          if (name === "surface") this.surfaceLater();
          else requestAnimationFrame(() => this.drawLater(name));
        }
      });
  }

  // The Plotly traces of plot ``name`` at the current α (and, in 3D, step): {uid: update}.
  traces(name) {
    const { data } = this;
    const out = {};
    data.m.optimizers.forEach((o, i) => {
      const run = data.run(i, this.k);
      const end = data.end(run);
      const s = Math.min(this.s, end);
      const gone = run.d >= 0 && this.s >= run.d;
      if (name === "contour") {
        const path = data.upto(run, end);
        out[`path2d-${i}`] = { x: path.xs, y: path.ys };
      } else if (name === "surface") {
        const trail = data.upto(run, s);
        const [hx, hy, hv] = data.at(run, s);
        out[`trail3d-${i}`] = { x: trail.xs, y: trail.ys, z: data.lifted(trail.xs, trail.ys, trail.vs) };
        let head = [hx, hy];
        if (gone && data.m.stops[run.r]) head = data.m.stops[run.r];
        out[`head3d-${i}`] = {
          x: [head[0]],
          y: [head[1]],
          z: [data.headHeight(head[0], head[1], hv)],
          "marker.symbol": gone ? "cross" : "circle",
        };
      } else {
        const shift = data.m.loss_axis.shift;
        const top = 10 ** data.m.loss_axis.range[1];
        const path = data.upto(run, end);
        // A loss that reaches the floor would fall off a log axis: it rests on the bottom.
        const bottom = 10 ** data.m.loss_axis.range[0];
        const y = path.vs.map((v) => Math.max(bottom, data.loss(v) + shift));
        out[`loss-${i}`] = { x: path.steps, y };
        const lastLoss = data.loss(path.vs[path.vs.length - 1]) + shift;
        out[`lossx-${i}`] =
          run.d >= 0 ? { x: [run.d], y: [Math.min(lastLoss, top / 1.5)] } : { x: [], y: [] };
      }
    });
    return out;
  }

  // A panel's height for its width: on a phone the square contour and the scene would
  // otherwise float in a box of desktop height.
  // The camera button's file name says which panel it saved (…-contour.png, …-loss.png).
  panelConfig(name) {
    const image = this.config.toImageButtonOptions;
    if (!image || !image.filename) return this.config;
    const named = Object.assign({}, image, { filename: `${image.filename}-${name}` });
    return Object.assign({}, this.config, { toImageButtonOptions: named });
  }

  heightFor(name) {
    const fig = this.figures[name];
    const full = fig.layout.height;
    const div = { contour: this.contourDiv, surface: this.surfaceDiv, loss: this.lossDiv }[name];
    const width = div.clientWidth;
    if (!width) return full;
    if (name === "contour") {
      const m = fig.layout.margin;
      const [x0, x1] = fig.layout.xaxis.range;
      const [y0, y1] = fig.layout.yaxis.range;
      const plotWidth = width - m.l - m.r - 90; // the colour bar takes about 90 px
      return Math.round(Math.max(220, Math.min(full, (plotWidth * (y1 - y0)) / (x1 - x0) + m.t + m.b)));
    }
    if (name === "surface") return Math.round(Math.max(260, Math.min(full, width * 0.85)));
    return Math.round(Math.max(220, Math.min(full, width * 0.7)));
  }

  async draw(name) {
    const plot = this.plots[name];
    const div = { contour: this.contourDiv, surface: this.surfaceDiv, loss: this.lossDiv }[name];
    const Plotly = window.Plotly;
    const updates = this.traces(name);
    if (plot.fresh) {
      plot.fresh = false;
      const fig = this.figures[name];
      const traces = fig.data.map((t) => {
        const u = updates[t.uid];
        if (!u) return t;
        const merged = Object.assign({}, t, u);
        if (u["marker.symbol"]) {
          merged.marker = Object.assign({}, t.marker, { symbol: u["marker.symbol"] });
          delete merged["marker.symbol"];
        }
        return merged;
      });
      const drawn = div.__plotted;
      div.__plotted = true;
      const layout = Object.assign({}, fig.layout, { height: this.heightFor(name) });
      const config = this.panelConfig(name);
      if (drawn) await Plotly.react(div, traces, layout, config);
      else {
        await Plotly.newPlot(div, traces, layout, config);
        if (name !== "surface") div.on("plotly_relayout", () => this.drawOverlays()); // zoom
      }
      return;
    }
    const uids = Object.keys(updates);
    const indices = uids.map((u) => plot.index[u]);
    if (name === "surface") {
      // One entry per trace (for trail3d, a null symbol is its default).
      const restyle = {
        x: uids.map((u) => updates[u].x),
        y: uids.map((u) => updates[u].y),
        z: uids.map((u) => updates[u].z),
        "marker.symbol": uids.map((u) => updates[u]["marker.symbol"] || null),
      };
      await Plotly.restyle(div, restyle, indices);
      return;
    }
    // Without a redraw: only these traces are drawn again, never the rest of the plot.
    await Plotly.animate(
      div,
      { data: uids.map((u) => updates[u]), traces: indices },
      { mode: "immediate", transition: { duration: 0 }, frame: { duration: 0, redraw: false } },
    );
  }
}

// The race component: the first render builds the DOM and draws the 2D plots, then the 3D
// scene once the browser has painted them; later renders bring new data.
function renderRace(component, ready) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(":scope > .descent-race");
  if (!root) {
    root = document.createElement("div");
    parentElement.appendChild(root);
    root.__race = new Race(root, setTriggerValue);
    if (data.poster) root.__race.contourDiv.innerHTML = data.poster;
    root.__ready = ready.then(async (Plotly) => {
      const race = root.__race;
      const poster = race.contourDiv.querySelector(":scope > .descent-poster");
      if (poster) poster.remove();
      race.plots.contour.ready = true;
      race.plots.loss.ready = true;
      race.drawLater("contour");
      race.drawLater("loss");
      await nextPaint();
      await nextPaint();
      race.plots.surface.ready = true;
      race.drawLater("surface");
      // A click on the contour's plot area (not a drag) reports where, in φ.
      race.contourDiv.addEventListener("click", (event) => {
        const area = race.contourDiv.querySelector(".nsewdrag");
        const layout = race.contourDiv._fullLayout;
        if (!data.clickable || !area || !layout) return;
        const box = area.getBoundingClientRect();
        const px = event.clientX - box.left;
        const py = event.clientY - box.top;
        if (px < 0 || py < 0 || px > box.width || py > box.height) return;
        const point = { x: layout.xaxis.p2d(px), y: layout.yaxis.p2d(py), trace: "contour" };
        root.__race.setTriggerValue("click", point);
      });
      for (const name of ["contour", "surface", "loss"]) {
        const div = { contour: race.contourDiv, surface: race.surfaceDiv, loss: race.lossDiv }[name];
        watchSize(div, () => race.heightFor(name), () => race.drawOverlays());
      }
      return Plotly;
    });
    root.__ready.catch((error) => failRace(root, error));
  }
  const race = root.__race;
  race.setTriggerValue = setTriggerValue;
  const key = JSON.stringify(data.race);
  if (key !== race.key) {
    race.key = key;
    race.load(data);
  }
}

function failRace(root, error) {
  const note = document.createElement("p");
  note.className = "descent-plot-error";
  note.textContent = `The interactive plot could not be drawn: ${error && error.message ? error.message : error}. Reload the page to try again.`;
  root.__race.contourDiv.after(note);
  console.warn("descent race:", error);
}

// Resize a plot when its width changes, only while it is displayed: Plotly throws for a
// hidden div (as when the page is being left).
function watchSize(div, heightFor, onResize) {
  let width = div.clientWidth;
  new ResizeObserver(() => {
    const w = div.clientWidth;
    if (w === width || !div.__plotted || !div.isConnected || div.offsetParent === null) return;
    width = w;
    const height = heightFor();
    const Plotly = window.Plotly;
    const resized =
      div._fullLayout && div._fullLayout.height !== height
        ? Plotly.relayout(div, { height, width: w })
        : Plotly.Plots.resize(div);
    Promise.resolve(resized)
      .then(onResize)
      .catch(() => {});
  }).observe(div);
}
