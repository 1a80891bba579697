// The page of `ogan serve`: plain JavaScript over the JSON/PNG API, no framework and nothing from a CDN.
"use strict";

const $ = id => document.getElementById(id);
const state = { model: null, picked: [], sampleLatents: [], directions: null, serial: 0 };
const BORDER = 2; // the grid's border around each image, in pixels

const statusLog = window.oganStatusLog = []; // every message shown, for whoever debugs the page (and its test)
function status(text, isError) {
  statusLog.push(isError ? "error: " + text : text);
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

async function api(path, options) {
  const response = await fetch(path, options);
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error; } catch { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

// Shows a PNG response in an <img>, scaled up without smoothing, with its download link; resolves once shown,
// or at once when a newer request for the same <img> has taken over (its result is the one to show).
let requests = 0;
async function show(img, link, path, options) {
  const request = String(++requests);
  img.dataset.request = request;
  const superseded = () => img.dataset.request !== request;
  const blob = await (await api(path, options)).blob();
  if (superseded()) return;
  const url = URL.createObjectURL(blob), previous = img.dataset.url;
  img.dataset.loaded = "0";
  img.dataset.url = url;
  img.src = url;
  if (link) link.href = url;
  if (previous) URL.revokeObjectURL(previous);
  try {
    await img.decode();
  } catch {
    if (superseded()) return;
    throw new Error(`${path}: the image did not decode`);
  }
  if (superseded()) return;
  const zoom = Math.max(1, Math.round(128 / state.model.image_size));
  img.width = img.naturalWidth * zoom;
  img.dataset.loaded = "1";
}

function generate(img, link, latents, columns) {
  return show(img, link, "/api/generate", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ latents, columns: columns || latents.length }),
  });
}

// Runs an action, reporting failures in the header instead of the console.
function guarded(action) {
  return async (...args) => {
    try { await action(...args); } catch (e) { status(e.message, true); }
  };
}

// --- latent arithmetic ---
const norm = v => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const add = (a, b, k) => a.map((x, i) => x + k * b[i]);
function interpolate(a, b, t, slerp) {
  if (slerp) {
    const cos = a.reduce((s, x, i) => s + x * b[i], 0) / (norm(a) * norm(b));
    const omega = Math.acos(Math.min(1, Math.max(-1, cos)));
    if (omega > 1e-4) {
      const s = Math.sin(omega);
      return a.map((x, i) => Math.sin((1 - t) * omega) / s * x + Math.sin(t * omega) / s * b[i]);
    }
  }
  return a.map((x, i) => (1 - t) * x + t * b[i]);
}
function gaussian(random) { // Box-Muller on a seeded generator
  const u = 1 - random(), v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
function seeded(seed) { // mulberry32
  return () => {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// --- picked latents: samples clicked and images uploaded, for interpolation and directions ---
function pick(name, latent) {
  state.picked = state.picked.filter(p => p.name !== name);
  state.picked.push({ name, latent });
  for (const id of ["from", "to", "base"]) {
    const select = $(id), before = select.value;
    select.innerHTML = "";
    for (const p of state.picked) select.add(new Option(p.name, p.name));
    if (state.picked.some(p => p.name === before)) select.value = before;
  }
  if (state.picked.length >= 2 && $("from").value === $("to").value) $("from").selectedIndex = state.picked.length - 2;
  $("to").value = state.picked[state.picked.length - 1].name;
}
const picked = name => state.picked.find(p => p.name === name);

// --- samples ---
const refreshSamples = guarded(async () => {
  const seed = Number($("seed").value) || 0, n = Math.min(64, Math.max(1, Number($("count").value) || 16));
  await show($("samples"), $("samples-download"), `/api/sample?seed=${seed}&n=${n}`);
  state.sampleLatents = (await (await api(`/api/latents?seed=${seed}&n=${n}`)).json()).latents;
  state.sampleSeed = seed;
  status(`samples of seed ${seed}`);
});

const refreshVariations = guarded(async () => {
  const base = state.current;
  if (!base) return;
  const strength = Number($("variation").value), random = seeded(base.name.length * 7919 + 1);
  const latents = [base.latent];
  for (let i = 1; i < 8; i++) latents.push(base.latent.map(x => x + strength * gaussian(random)));
  await generate($("variations"), $("variations-download"), latents, 8);
});

function clickSample(event) {
  const img = $("samples"), s = state.model.image_size, n = state.sampleLatents.length;
  if (!n) return;
  const columns = Math.ceil(Math.sqrt(n));
  const scale = img.naturalWidth / img.getBoundingClientRect().width;
  const x = event.offsetX * scale, y = event.offsetY * scale;
  const column = Math.floor((x - BORDER) / (s + BORDER)), row = Math.floor((y - BORDER) / (s + BORDER));
  const index = row * columns + column;
  if (column < 0 || column >= columns || index < 0 || index >= n) return;
  selectSample(index);
  refreshFrame();
  refreshDirection();
}

function selectSample(index) {
  const name = `sample ${state.sampleSeed}#${index}`;
  state.current = { name, latent: state.sampleLatents[index] };
  pick(name, state.current.latent);
  $("picked-sample").hidden = false;
  $("picked-name").textContent = name;
  $("picked-z").textContent = "z = [" + state.current.latent.map(v => v.toFixed(2)).join(", ") + "]";
  return refreshVariations();
}

// --- uploads ---
const upload = guarded(async files => {
  for (const file of files) {
    const form = new FormData();
    form.append("file", file);
    const { codes } = await (await api("/api/encode", { method: "POST", body: form })).json();
    const name = `${file.name} (${++state.serial})`;
    const row = document.createElement("div");
    row.className = "upload";
    row.innerHTML = `<img class="original" alt="original"><img class="reconstruction" alt="reconstruction"><span class="name"></span> <a download="reconstruction.png">download</a>`;
    row.querySelector(".name").textContent = name;
    const original = row.querySelector(".original");
    original.src = URL.createObjectURL(file);
    row.dataset.code = JSON.stringify(codes[0]);
    $("uploads").prepend(row);
    pick(name, codes[0]);
    await reconstruct(row);
    original.width = row.querySelector(".reconstruction").width;
    $("base").value = name;
    await refreshFrame();
    await refreshDirection();
  }
  status(`${files.length} image(s) encoded`);
});

function reconstruct(row) {
  const code = JSON.parse(row.dataset.code), scale = Number($("scale").value);
  return generate(row.querySelector(".reconstruction"), row.querySelector("a"), [code.map(x => x * scale)]);
}

// --- interpolation ---
const FRAMES = 16;
function endpoints() {
  const a = picked($("from").value), b = picked($("to").value);
  if (!a || !b) throw new Error("pick two samples or upload two images to interpolate");
  return [a.latent, b.latent, $("path").value === "slerp"];
}
const refreshFrame = guarded(async () => {
  if (state.picked.length < 2) return;
  const [a, b, slerp] = endpoints(), i = Number($("position").value);
  $("position-value").textContent = `${i} / ${FRAMES - 1}`;
  await generate($("frame"), $("frame-download"), [interpolate(a, b, i / (FRAMES - 1), slerp)]);
});
const refreshStrip = guarded(async () => {
  const [a, b, slerp] = endpoints();
  const frames = [...Array(FRAMES).keys()].map(i => interpolate(a, b, i / (FRAMES - 1), slerp));
  await generate($("strip"), $("strip-download"), frames, FRAMES);
});

// --- directions ---
const loadDirections = guarded(async () => {
  state.directions = await (await api("/api/directions")).json();
  $("directions-source").textContent = `principal directions of ${state.directions.source}`;
  const box = $("directions");
  box.innerHTML = "";
  state.directions.directions.forEach((_, k) => {
    const label = document.createElement("label");
    label.innerHTML = `PC ${k + 1} <input type="range" min="-3" max="3" step="0.1" value="0" data-k="${k}"> <output>0.0</output> σ`;
    label.querySelector("input").addEventListener("input", e => {
      label.querySelector("output").textContent = Number(e.target.value).toFixed(1);
      refreshDirection();
    });
    box.append(label);
  });
});
const refreshDirection = guarded(async () => {
  const base = picked($("base").value);
  if (!base || !state.directions) return;
  let z = base.latent;
  for (const input of $("directions").querySelectorAll("input")) {
    const k = Number(input.dataset.k);
    z = add(z, state.directions.directions[k], Number(input.value) * state.directions.deviations[k]);
  }
  await generate($("direction-image"), $("direction-download"), [z]);
});

// --- the run ---
function chart(rows, key) {
  const points = rows.filter(r => typeof r[key] === "number").map(r => [r.step, r[key]]);
  if (points.length < 1) return "";
  const W = 300, H = 90, P = 30;
  const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = x => P + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * (W - P - 5);
  const sy = y => H - 15 - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5) * (H - 25);
  const d = points.map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join("");
  return `<svg width="${W}" height="${H}" role="img" aria-label="${key}">
    <line class="axis" x1="${P}" y1="${H - 15}" x2="${W}" y2="${H - 15}"/>
    <text x="${P}" y="10">${key}: ${ys[ys.length - 1].toFixed(3)}</text>
    <text x="0" y="${sy(y1) + 4}">${y1.toPrecision(3)}</text><text x="0" y="${sy(y0)}">${y0.toPrecision(3)}</text>
    <text x="${W - 60}" y="${H - 2}">step ${x1}</text>
    <path class="line" d="${d}"/></svg>`;
}
const refreshRun = guarded(async () => {
  const run = await (await api("/api/run")).json();
  $("run-name").textContent = run.run;
  $("curves").innerHTML = ["loss_e", "loss_g", "rho", "delta", "images_per_s"].map(k => chart(run.stats, k)).join("");
  $("run-options").textContent = JSON.stringify(run.options, null, 2);
  for (const kind of ["samples", "reconstructions"]) {
    const id = kind === "samples" ? "run-samples" : "run-reconstructions";
    if (run[kind] && $(id).dataset.name !== run[kind]) {
      $(id).dataset.name = run[kind];
      await show($(id), $(id + "-download"), `/api/run/files/${run[kind]}`);
    }
  }
});

// --- checkpoints ---
const loadModel = guarded(async () => {
  state.model = await (await api("/api/model")).json();
  $("model").textContent = `step ${state.model.step}, ${state.model.image_size} px, ${state.model.channels === 1 ? "grey" : "RGB"}, z ${state.model.z_dim}`;
  state.picked = []; state.current = null;
  $("uploads").innerHTML = ""; $("picked-sample").hidden = true;
  await refreshSamples();
  // Something to look at in every panel from the start: samples #0 and #1 picked, between and around them.
  await selectSample(0);
  if (state.sampleLatents.length > 1) { pick(`sample ${state.sampleSeed}#1`, state.sampleLatents[1]); $("from").selectedIndex = 0; }
  await loadDirections();
  await refreshFrame();
  await refreshStrip();
  await refreshDirection();
  await refreshRun();
});
const loadCheckpoints = guarded(async () => {
  const list = await (await api("/api/checkpoints")).json(), select = $("checkpoint");
  const names = list.checkpoints.map(c => c.name);
  if ([...select.options].map(o => o.value).join() !== names.join()) {
    select.innerHTML = "";
    for (const c of list.checkpoints) select.add(new Option(c.name, c.name));
  }
  select.value = list.current;
});
const selectCheckpoint = guarded(async () => {
  status("loading " + $("checkpoint").value);
  await api(`/api/checkpoints/${$("checkpoint").value}`, { method: "POST" });
  await loadModel();
});

// --- wiring ---
$("seed").addEventListener("change", refreshSamples);
$("count").addEventListener("change", refreshSamples);
$("new-seed").addEventListener("click", () => { $("seed").value = Math.floor(Math.random() * 1e6); refreshSamples(); });
$("samples").addEventListener("click", clickSample);
$("variation").addEventListener("input", e => { $("variation-value").textContent = Number(e.target.value).toFixed(2); refreshVariations(); });
$("upload").addEventListener("change", e => upload([...e.target.files]));
$("scale").addEventListener("input", e => {
  $("scale-value").textContent = Number(e.target.value).toFixed(2);
  guarded(async () => { for (const row of $("uploads").children) await reconstruct(row); })();
});
const drop = $("drop");
drop.addEventListener("dragover", e => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", e => { e.preventDefault(); drop.classList.remove("over"); upload([...e.dataTransfer.files]); });
for (const id of ["from", "to", "path", "position"]) $(id).addEventListener(id === "position" ? "input" : "change", refreshFrame);
$("strip-button").addEventListener("click", refreshStrip);
$("base").addEventListener("change", refreshDirection);
$("checkpoint").addEventListener("change", selectCheckpoint);

(async () => {
  await loadCheckpoints();
  await loadModel();
  const events = new EventSource("/api/events");
  events.addEventListener("run", () => { loadCheckpoints(); refreshRun(); });
})();
