// Descent's Plotly chart: a Streamlit custom component (st.components.v2) that keeps one
// Plotly instance per chart and updates it with Plotly.react.
//
// Why not st.plotly_chart: in Streamlit 1.67 its element id is derived from the figure, so
// every change of the figure remounts the chart and Plotly builds it from scratch, WebGL
// contexts included (about 2 s for the race figure without a GPU); Plotly.react takes about
// 0.3 s. plotly.js itself (the copy that ships with plotly.py) is served by Streamlit's static
// file serving and loaded once per page.
//
// data: {src, figure (Plotly JSON string), height, config, stages, later, poster,
// clickable}; a call without a figure only starts loading plotly.js.

function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__descentPlotly) {
    window.__descentPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () =>
        window.Plotly
          ? resolve(window.Plotly)
          : reject(new Error(`${src} loaded, but it did not define Plotly`));
      script.onerror = () => {
        window.__descentPlotly = null; // let a later render try again
        reject(new Error(`could not load ${src}`));
      };
      document.head.appendChild(script);
    });
  }
  return window.__descentPlotly;
}

// Let the browser paint what has been drawn so far.
const nextPaint = () =>
  new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

const is3d = (trace) => trace.type === "surface" || String(trace.type).endsWith("3d");

async function draw(Plotly, host, setTriggerValue) {
  const want = host.__want;
  if (!want || want === host.__drawn) return;
  host.__drawn = want;
  const fig = JSON.parse(want.figure);
  const config = Object.assign({ responsive: false }, want.config || {});
  if (!host.__plotted) {
    const poster = host.querySelector(":scope > .descent-poster");
    if (poster) poster.remove(); // Plotly draws in its place
  }
  if (!host.__plotted && want.stages) {
    // First paint without the 3D scene: creating its WebGL context is the slowest part of
    // the figure in software rendering, and the contour is useful before it.
    const layout = Object.assign({}, fig.layout);
    delete layout.scene;
    // WebGL 2D traces draw as SVG in this first paint (no WebGL context yet), and traces
    // named in `later` (the invisible click grid) wait for the full figure.
    const later = new Set(want.later || []);
    const first = fig.data
      .filter((t) => !is3d(t) && !later.has(t.name))
      .map((t) => (t.type === "scattergl" ? Object.assign({}, t, { type: "scatter" }) : t));
    await Plotly.newPlot(host, first, layout, config);
    host.__plotted = true;
    await nextPaint();
    if (host.__want !== want) return; // newer data arrived: the next draw takes it
  }
  await Plotly.react(host, { data: fig.data, layout: fig.layout, config });
  host.__plotted = true;
  if (host.__markStep) host.__markStep(); // a chart that follows an animation's step
  if (!host.__listening) {
    host.__listening = true;
    if (host.__markStep) host.on("plotly_afterplot", host.__markStep);
    if (want.clickable) {
      host.on("plotly_click", (event) => {
        const point = event && event.points && event.points[0];
        if (!point || point.x == null || point.y == null || is3d(point.data || {})) return;
        setTriggerValue("click", { x: point.x, y: point.y, trace: point.data.name || "" });
      });
    }
  }
}

function fail(host, error) {
  host.__drawn = null;
  const note = document.createElement("p");
  note.className = "descent-plot-error";
  note.textContent = `The interactive plot could not be drawn: ${error && error.message ? error.message : error}. Reload the page to try again.`;
  const poster = host.querySelector(":scope > .descent-poster");
  if (poster) host.replaceChildren(poster, note); // the static picture still informs
  else {
    host.replaceChildren(note);
    host.style.height = "auto"; // no empty box the size of the missing plot
  }
  console.warn("descent plot:", error);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (!data || !data.src) return;
  const ready = loadPlotly(data.src);
  if (data.race) return renderRace(component, ready);
  if (data.lab) return renderLab(component, ready);
  if (!data.figure) return; // a loader: plotly.js starts downloading, nothing is drawn

  let host = parentElement.querySelector(":scope > .descent-plot");
  if (!host) {
    host = document.createElement("div");
    host.className = "descent-plot";
    host.setAttribute("data-testid", "descent-chart");
    parentElement.appendChild(host);
    let width = 0;
    new ResizeObserver((entries) => {
      const w = Math.round(entries[0].contentRect.width);
      // Plotly throws for a hidden div (as while the page is being left).
      if (host.__plotted && w !== width && window.Plotly && host.offsetParent !== null) {
        Promise.resolve(window.Plotly.Plots.resize(host)).catch(() => {});
      }
      width = w;
    }).observe(host);
  }
  host.style.height = `${data.height}px`; // hold the space before plotly.js arrives
  if (data.poster && !host.__plotted && !host.__posterShown) {
    // A static picture of the same figure until Plotly has drawn (our own SVG, from Python).
    host.__posterShown = true;
    host.innerHTML = data.poster;
  }
  if (data.follow) followStep(host, data.follow);
  host.__want = data; // the latest data wins; stale draws are skipped
  host.__chain = (host.__chain || Promise.resolve())
    .then(() => ready)
    .then((Plotly) => draw(Plotly, host, setTriggerValue))
    .catch((error) => fail(host, error));
}
