// The SGD lab's epoch, played by the browser (joined after ui/race_chart.js, whose helpers it
// uses: u16, unvarint, plotlyArray, el, Overlay, StepControls).
//
// Python sends one static figure (figures/sgd_epoch.py: the lab's figure at step 0) and both
// runs as binary arrays (figures/sgd_motion.py). Play/Pause, ±1 step, speed and the step
// slider pick the step; each step fills the figure's moving traces (tails, heads, the
// minibatch, the examples used earlier this epoch, the status line, the model curves) with
// SVG marks over the plot (LabOverlay): Plotly never draws a step again. Charts
// that follow the lab (ui/plotly_chart.py `follow`) mark the step. Nothing goes to the server.

const LAB_RUN_SECONDS = 20; // a whole run at 1×, within 5 to 30 steps a second

function bytesOf(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

class LabData {
  constructor(m, figure) {
    this.m = m;
    this.T = m.steps;
    this.K = m.per_epoch;
    const n = this.T + 1;
    const scale = (q, [lo, hi]) => Float64Array.from(q, (v) => lo + (v / 65535) * (hi - lo));
    const x = scale(u16(m.x), m.ranges.x);
    const y = scale(u16(m.y), m.ranges.y);
    const loss = new Float32Array(bytesOf(m.loss).buffer);
    this.runs = m.runs.map((name, r) => ({
      name,
      x: x.subarray(r * n, (r + 1) * n),
      y: y.subarray(r * n, (r + 1) * n),
      loss: loss.subarray(r * n, (r + 1) * n),
      last: m.last[r],
    }));
    const bytes = bytesOf(m.batch);
    this.batch = m.batch_dtype === "u1" ? bytes : new Uint16Array(bytes.buffer);
    const sizes = unvarint(m.sizes, this.T);
    this.starts = new Uint32Array(this.T + 1);
    for (let t = 0; t < this.T; t++) this.starts[t + 1] = this.starts[t] + sizes[t];
    const trace = (uid) => figure.data.find((t) => t.uid === uid);
    this.px = plotlyArray(trace("examples").x);
    this.py = plotlyArray(trace("examples").y);
    const model = trace("model:sgd");
    this.curveX = model && m.link ? plotlyArray(model.x) : null;
    this.link = m.link ? new Float32Array(bytesOf(m.link).buffer) : null;
  }
  // The examples of step t's minibatch (none past the last step).
  batchAt(t) {
    return t < this.T ? Array.from(this.batch.subarray(this.starts[t], this.starts[t + 1])) : [];
  }
  // The examples step t's epoch used before it: batches from the epoch's first step to t - 1.
  visitedAt(t) {
    if (t >= this.T) return [];
    const first = t - (t % this.K);
    return Array.from(this.batch.subarray(this.starts[first], this.starts[t]));
  }
  status(t) {
    if (t >= this.T) return `step ${t}: ${this.m.end_text}`;
    return `step ${t}: epoch ${Math.floor(t / this.K) + 1}, batch ${(t % this.K) + 1} of ${this.K}`;
  }
  // The model's curve f[x, φ] = link(φ₀ + scale φ₁ x) over the curve's x, from the link's table.
  curve(phi0, phi1) {
    const [u0, u1] = this.m.link_range;
    const last = this.link.length - 1;
    return Array.from(this.curveX, (x) => {
      const f = ((phi0 + this.m.scale * phi1 * x - u0) / (u1 - u0)) * last;
      const i = Math.max(0, Math.min(last - 1, Math.floor(f)));
      const w = Math.max(0, Math.min(1, f - i));
      return this.link[i] * (1 - w) + this.link[i + 1] * w;
    });
  }
  // The moving traces at step t, by uid (as figures/sgd_epoch.py draws them at step 0).
  traces(t) {
    const out = {};
    const orNaN = (a) => (a.length ? a : [NaN]); // Plotly skips an empty trace's redraw
    for (const run of this.runs) {
      const s = Math.min(t, run.last);
      const lo = Math.max(0, s - this.m.tail + 1);
      out[`tail:${run.name}`] = { x: Array.from(run.x.subarray(lo, s + 1)), y: Array.from(run.y.subarray(lo, s + 1)) };
      out[`head:${run.name}`] = { x: [run.x[s]], y: [run.y[s]], customdata: [[s, run.loss[s]]] };
      if (this.curveX) out[`model:${run.name}`] = { y: this.curve(run.x[s], run.y[s]) };
    }
    const visited = this.visitedAt(t);
    const batch = this.batchAt(t);
    out.visited = { x: orNaN(visited.map((i) => this.px[i])), y: orNaN(visited.map((i) => this.py[i])) };
    out.minibatch = {
      x: orNaN(batch.map((i) => this.px[i])),
      y: orNaN(batch.map((i) => this.py[i])),
      customdata: batch.map((i) => i + 1),
    };
    out.status = { text: [this.status(t)] };
    return out;
  }
}

// One marker of Plotly's size and symbol (a square or a disc) centred on (px, py), as a path.
function markerPath(px, py, size, symbol) {
  const r = size / 2;
  if (symbol === "square") return `M${(px - r).toFixed(1)},${(py - r).toFixed(1)}h${size}v${size}h${-size}Z`;
  return `M${(px - r).toFixed(1)},${py.toFixed(1)}a${r},${r} 0 1,0 ${size},0a${r},${r} 0 1,0 ${-size},0Z`;
}

const DASHES = { dash: "6,4", dot: "2,3", dashdot: "6,3,2,3" };

// The lab's marks over a subplot: markers styled as a Plotly trace's, and text.
class LabOverlay extends Overlay {
  markers(key, xs, ys, marker) {
    const line = marker.line || {};
    const node = this.mark(key, "path", {
      fill: marker.color || "#444444",
      stroke: line.width ? line.color || "#444444" : "none",
      "stroke-width": line.width || 0,
    });
    let d = "";
    for (let i = 0; i < xs.length; i++) {
      const px = this.px(xs[i]);
      const py = this.py(ys[i]);
      if (Number.isFinite(px) && Number.isFinite(py)) d += markerPath(px, py, marker.size || 6, marker.symbol);
    }
    node.setAttribute("d", d);
    node.dataset.x = JSON.stringify(xs);
    node.dataset.y = JSON.stringify(ys);
  }
  text(key, x, y, value, font) {
    const node = this.mark(key, "text", {
      "text-anchor": "middle",
      "dominant-baseline": "central",
      "font-size": font.size || 12,
      "font-family": font.family || "sans-serif",
      fill: font.color || "#222222",
    });
    node.setAttribute("x", this.px(x).toFixed(1));
    node.setAttribute("y", this.py(y).toFixed(1));
    node.textContent = value;
  }
}

// The step each group of animated charts shows, for the charts that follow it.
window.__descentSteps = window.__descentSteps || {};

class Lab {
  constructor(root, setTriggerValue) {
    this.root = root;
    this.setTriggerValue = setTriggerValue;
    root.className = "descent-lab";
    root.tabIndex = 0;
    this.controls = new StepControls(
      root,
      (s) => this.show(s),
      (T) => Math.max(5, Math.min(30, T / LAB_RUN_SECONDS))
    );
    const bar = el("div", { class: "descent-controls" });
    bar.append(this.controls.time);
    this.plot = el("div", { class: "descent-plot descent-lab-plot", "data-testid": "descent-chart" });
    const panel = el("div", { class: "descent-panel" });
    panel.append(this.plot);
    // What moves with the step is drawn over the plot (as on the compare page): a step costs
    // a few attribute writes, where a Plotly update of this figure costs about 45 ms.
    this.overlays = {
      contour: new LabOverlay(panel, this.plot),
      examples: new LabOverlay(panel, this.plot, ["xaxis2", "yaxis2"]),
    };
    root.append(bar, panel);
  }
  get s() {
    return this.controls.s;
  }
  get playing() {
    return this.controls.playing;
  }
  load(data) {
    const fresh = !this.data;
    this.controls.pause();
    const figure = JSON.parse(data.lab.figure);
    this.data = new LabData(data.lab.motion, figure);
    this.group = data.lab.motion.group;
    this.config = Object.assign({ responsive: false }, data.config || {});
    // The overlays draw the moving traces (and the cell numbers, which go over them) in their
    // styles; Plotly keeps them empty, for the legend.
    this.styles = Object.fromEntries(figure.data.map((t) => [t.uid, t]));
    const drawn = new Set(Object.keys(this.data.traces(0)).concat(["cell-numbers"]));
    figure.data = figure.data.map((t) =>
      drawn.has(t.uid) ? Object.assign({}, t, { x: [null], y: [null], text: null, customdata: null }) : t,
    );
    this.figure = figure;
    for (const overlay of Object.values(this.overlays)) {
      overlay.svg.replaceChildren();
      overlay.marks = {};
    }
    this.controls.setRange(this.data.T, fresh ? 0 : Math.min(this.s, this.data.T));
  }
  show(s) {
    window.__descentSteps[this.group] = s;
    window.dispatchEvent(new CustomEvent("descent-step", { detail: { group: this.group, step: s } }));
    this.drawOverlays();
    this.drawLater();
  }
  // The moving traces at the current step, over the plot (once Plotly has drawn its axes).
  drawOverlays() {
    const { contour, examples } = this.overlays;
    if (!this.plot.__plotted || !contour.place() || !examples.place()) return;
    const s = this.s;
    const t = this.data.traces(s);
    const style = this.styles;
    for (const run of this.data.runs) {
      const tail = style[`tail:${run.name}`].line;
      contour.line(`tail:${run.name}`, t[`tail:${run.name}`].x, t[`tail:${run.name}`].y, {
        stroke: tail.color,
        "stroke-width": tail.width,
        "stroke-linejoin": "round",
      });
    }
    for (const run of this.data.runs) {
      const head = t[`head:${run.name}`];
      contour.markers(`head:${run.name}`, head.x, head.y, style[`head:${run.name}`].marker);
    }
    const noNaN = (u) => ({ x: t[u].x.filter(Number.isFinite), y: t[u].y.filter(Number.isFinite) });
    for (const uid of ["visited", "minibatch"]) {
      const { x, y } = noNaN(uid);
      examples.markers(uid, x, y, style[uid].marker);
    }
    const numbers = style["cell-numbers"];
    if (numbers) {
      const font = Object.assign({ family: this.figure.layout.font && this.figure.layout.font.family }, numbers.textfont);
      this.data.px.forEach((x, i) => examples.text(`cell-${i}`, x, this.data.py[i], String(i + 1), font));
    }
    for (const run of this.data.runs) {
      const uid = `model:${run.name}`;
      if (!t[uid]) continue;
      const line = style[uid].line;
      examples.line(uid, Array.from(this.data.curveX), t[uid].y, {
        stroke: line.color,
        "stroke-width": line.width,
        "stroke-dasharray": DASHES[line.dash] || "none",
      });
    }
    const status = style.status;
    const font = Object.assign({ family: this.figure.layout.font && this.figure.layout.font.family }, status.textfont);
    examples.text("status", plotlyArray(status.x)[0], plotlyArray(status.y)[0], t.status.text[0], font);
    this.drawnStep = s;
  }
  // Draw a new figure once the draw under way has finished.
  drawLater() {
    if (!this.ready || this.busy || !this.data || this.figure === this.drawnFigure) return;
    this.busy = true;
    Promise.resolve()
      .then(() => this.draw())
      .catch((error) => console.warn("descent lab:", error))
      .then(() => {
        this.busy = false;
        this.drawOverlays(); // the axes may have moved
        requestAnimationFrame(() => this.drawLater());
      });
  }
  async draw() {
    const Plotly = window.Plotly;
    const figure = this.figure;
    this.drawnFigure = figure;
    if (this.plot.__plotted) await Plotly.react(this.plot, figure.data, figure.layout, this.config);
    else {
      this.plot.__plotted = true;
      await Plotly.newPlot(this.plot, figure.data, figure.layout, this.config);
      this.listen();
      this.plot.on("plotly_relayout", () => this.drawOverlays()); // zoom
      watchSize(this.plot, () => this.figure.layout.height, () => this.drawOverlays());
    }
  }
  listen() {
    this.plot.on("plotly_click", (event) => {
      const point = event && event.points && event.points[0];
      if (!this.clickable || !point || point.x == null || point.y == null) return;
      this.setTriggerValue("click", { x: point.x, y: point.y, trace: point.data.name || "" });
    });
  }
}

// The lab component: the first render builds the controls and the plot; later renders bring
// new data (the step stays where it was, within the new run).
function renderLab(component, ready) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(":scope > .descent-lab");
  if (!root) {
    root = document.createElement("div");
    parentElement.appendChild(root);
    root.__lab = new Lab(root, setTriggerValue);
    root.__lab.plot.style.height = `${data.height}px`; // hold the room until Plotly draws
    root.__ready = ready.then((Plotly) => {
      root.__lab.ready = true;
      root.__lab.drawLater();
      return Plotly;
    });
    root.__ready.catch((error) => {
      const note = el("p", { class: "descent-plot-error" });
      note.textContent = `The interactive plot could not be drawn: ${error && error.message ? error.message : error}. Reload the page to try again.`;
      root.append(note);
      console.warn("descent lab:", error);
    });
  }
  const lab = root.__lab;
  lab.setTriggerValue = setTriggerValue;
  lab.clickable = Boolean(data.clickable);
  const key = JSON.stringify(data.lab.motion) + data.lab.figure.length;
  if (key !== lab.key) {
    lab.key = key;
    lab.load(data);
  }
}

// A chart that follows a group's step marks it: a dashed vertical line at x = step and a dot
// on each curve there, drawn over the plot (ui/race_chart.js's Overlay).
function followStep(host, group) {
  if (host.__follow === group) return;
  host.__follow = group;
  host.parentElement.classList.add("descent-follow");
  const mark = () => {
    const step = window.__descentSteps[group];
    if (step == null || !host.__plotted || !host._fullLayout) return;
    host.__overlay = host.__overlay || new Overlay(host.parentElement, host);
    const overlay = host.__overlay;
    if (!overlay.place()) return;
    const ya = host._fullLayout.yaxis;
    const [lo, hi] = ya.range.map((v) => (ya.type === "log" ? 10 ** v : v));
    overlay.line("step", [step, step], [lo, hi], { stroke: "#666666", "stroke-dasharray": "4,3" });
    (host._fullData || []).forEach((trace, i) => {
      const ys = trace.y || [];
      const y = ys[Math.min(step, ys.length - 1)];
      const color = (trace.line && trace.line.color) || "#444444";
      overlay.point(`dot-${i}`, Number.isFinite(y) ? step : null, y, { size: 9, color });
    });
  };
  window.addEventListener("descent-step", (event) => {
    if (event.detail.group === group) mark();
  });
  host.__markStep = mark;
}
