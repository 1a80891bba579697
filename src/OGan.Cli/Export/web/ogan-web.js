// The page `ogan export --web` writes: G and E (generator.onnx, encoder.onnx, model.json) in ONNX Runtime Web.
// window.oganWeb: generate(latents) and encode(values) for scripts (and the repository's browser test).
'use strict';
(async () => {
  const $ = (id) => document.getElementById(id);
  const status = (text, error) => { $('status').textContent = text; $('status').className = error ? 'error' : ''; };
  try {
    ort.env.wasm.numThreads = 1; // threads need cross-origin isolation, which a plain static server does not give
    ort.env.wasm.wasmPaths = new URL('onnxruntime-web/', document.baseURI).href;
    const manifest = await (await fetch('model.json')).json();
    const [generator, encoder] = await Promise.all(['generator.onnx', 'encoder.onnx'].map((f) => ort.InferenceSession.create(f, { executionProviders: ['wasm'] })));
    const { image_size: size, channels, latent_dim: z } = manifest;
    $('model').textContent = `${size} px, ${channels === 3 ? 'RGB' : 'grey'}, z ${z}, step ${manifest.step}, exported by OGan ${manifest.ogan_version}`;

    const generate = async (latents) => {
      const count = latents.length / z;
      const out = await generator.run({ latents: new ort.Tensor('float32', Float32Array.from(latents), [count, z]) });
      return out.images.data;
    };
    const encode = async (values) => {
      const count = values.length / (channels * size * size);
      const out = await encoder.run({ images: new ort.Tensor('float32', Float32Array.from(values), [count, channels, size, size]) });
      return { latents: out.latents.data, codes: out.codes.data };
    };

    // N(0, 1) from a seeded generator (mulberry32 and Box-Muller).
    const normals = (count, seed) => {
      let state = seed >>> 0;
      const uniform = () => { state = (state + 0x6D2B79F5) >>> 0; let t = state; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
      return Float32Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
    };

    const draw = (canvas, values, index) => {
      canvas.width = canvas.height = size;
      const context = canvas.getContext('2d');
      const image = context.createImageData(size, size);
      const plane = size * size, offset = index * channels * plane;
      for (let p = 0; p < plane; p++) {
        for (let c = 0; c < 3; c++) {
          const v = values[offset + (channels === 3 ? c : 0) * plane + p];
          image.data[4 * p + c] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
        }
        image.data[4 * p + 3] = 255;
      }
      context.putImageData(image, 0, 0);
      canvas.dataset.rendered = '1';
    };

    // A photo drawn to the model's size (largest centred square) as (1, C, S, S) values in [-1, 1].
    const toValues = (bitmap) => {
      const canvas = $('original');
      canvas.width = canvas.height = size;
      const side = Math.min(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d');
      context.imageSmoothingQuality = 'high';
      context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, size, size);
      const rgba = context.getImageData(0, 0, size, size).data, plane = size * size, values = new Float32Array(channels * plane);
      for (let p = 0; p < plane; p++) {
        const [r, g, b] = [rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2]];
        if (channels === 1) values[p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b) / 127.5 - 1;
        else { values[p] = r / 127.5 - 1; values[plane + p] = g / 127.5 - 1; values[2 * plane + p] = b / 127.5 - 1; }
      }
      return values;
    };

    const sample = async () => {
      const latents = normals(8 * z, Number($('seed').value) || 0);
      const images = await generate(latents);
      $('samples').replaceChildren(...Array.from({ length: 8 }, (_, i) => { const c = document.createElement('canvas'); draw(c, images, i); return c; }));
      window.oganWeb.last = { latents: Array.from(latents), images: Array.from(images) };
      $('slider').disabled = false;
      await between();
      status(`sampled 8 images, seed ${$('seed').value}`);
    };
    const between = async () => {
      const last = window.oganWeb.last, t = Number($('slider').value);
      const latents = Float32Array.from({ length: z }, (_, j) => (1 - t) * last.latents[j] + t * last.latents[z + j]);
      draw($('between'), await generate(latents), 0);
    };
    const reconstruct = async (file) => {
      const { latents } = await encode(toValues(await createImageBitmap(file)));
      draw($('reconstruction'), await generate(latents.map((v) => v * manifest.reconstruction_scale)), 0);
      $('codes').textContent = `N(E(x)): ${Array.from(latents.slice(0, 4), (v) => v.toFixed(2)).join(', ')}, ...`;
      status(`reconstructed ${file.name} as G(${manifest.reconstruction_scale} N(E(x)))`);
    };

    window.oganWeb = { manifest, generate, encode, normals, last: null };
    $('sample').onclick = () => sample().catch((e) => status(String(e), true));
    $('slider').oninput = () => between().catch((e) => status(String(e), true));
    $('upload').onchange = (e) => e.target.files[0] && reconstruct(e.target.files[0]).catch((x) => status(String(x), true));
    const drop = $('drop');
    drop.ondragover = (e) => { e.preventDefault(); drop.classList.add('over'); };
    drop.ondragleave = () => drop.classList.remove('over');
    drop.ondrop = (e) => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) reconstruct(e.dataTransfer.files[0]).catch((x) => status(String(x), true)); };
    $('sample').disabled = false;
    await sample();
    document.body.dataset.ready = '1';
  } catch (e) {
    status(`${e}: serve this folder over http (e.g. python3 -m http.server) rather than opening the file`, true);
  }
})();
