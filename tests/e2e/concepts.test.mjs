// concepts.test.mjs: the concept browser in the browser: the card and demo
// counts match assets/cards.json and assets/presets/, "Show me" (through the
// exported nnplay_show_preset) replaces the points and the model as the preset
// says and is undoable, a ConvNet demo opens the calculator on that network,
// and an unknown demo changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { openApp, api, frames, outDir, repo } from './harness.mjs';

const showPreset = (page, id) =>
  page.evaluate((id) => window.Module.ccall('nnplay_show_preset', 'number', ['string'], [id]), id);

export default async function ({ browser, plainUrl, report }) {
  const { page, logs } = await openApp(browser, plainUrl);
  const tag = '[concepts]';
  const assets = path.join(repo, 'assets');
  const cards = JSON.parse(fs.readFileSync(path.join(assets, 'cards.json'), 'utf8')).cards;
  const hasPreset = (id) => fs.existsSync(path.join(assets, 'presets', `${id}.json`));
  const live = cards.filter((c) => c.demo && (c.demo.startsWith('convnet-') || hasPreset(c.demo))).length;

  const nCards = await api(page, 'nnplay_card_count');
  report.check(`${tag} the app loads every card of cards.json`, nCards === cards.length,
               `app ${nCards}, file ${cards.length}`);
  const nDemos = await api(page, 'nnplay_demo_count');
  report.check(`${tag} live demos = cards whose preset exists (or calculator presets)`, nDemos === live,
               `app ${nDemos}, expected ${live}`);

  // Playground presets: points, model kind and play state as the file says.
  const kinds = { knn: 0, linear: 1, net: 2 };
  const wanted = ['knn-1-vs-5', 'linear-class-lines'].filter(hasPreset);
  const ids = wanted.length ? wanted
    : [...new Set(cards.map((c) => c.demo).filter((d) => d && !d.startsWith('convnet-') && hasPreset(d)))].slice(0, 2);
  report.check(`${tag} at least one playground preset to show`, ids.length > 0);
  const before = await api(page, 'nnplay_point_count');
  let loaded = 0;
  for (const id of ids) {
    const preset = JSON.parse(fs.readFileSync(path.join(assets, 'presets', `${id}.json`), 'utf8'));
    const n = preset.data.points ? preset.data.points.length : preset.data.generator.n;
    const kind = kinds[(preset.spec && preset.spec.kind) || 'net'];
    const ok = await showPreset(page, id);
    await frames(page, 3);
    report.check(`${tag} Show me "${id}" succeeds`, ok === 1);
    const count = await api(page, 'nnplay_point_count');
    report.check(`${tag} "${id}" loads its ${n} points`, count === n, `got ${count}`);
    const mk = await api(page, 'nnplay_model_kind');
    report.check(`${tag} "${id}" selects its model (kind ${kind})`, mk === kind, `got ${mk}`);
    const playing = await api(page, 'nnplay_is_playing');
    const wantPlay = !!(preset.ui && preset.ui.play) && kind !== 0;
    report.check(`${tag} "${id}" plays only if the preset says so`, playing === (wantPlay ? 1 : 0), `got ${playing}`);
    if (ok === 1) loaded++;
  }
  await api(page, 'nnplay_show_concepts', 1);
  await frames(page, 5);
  await page.screenshot({ path: path.join(outDir, 'e2e-concepts.png') });

  // Undo goes back through the loaded presets to the points from before.
  for (let i = 0; i < loaded; i++) await api(page, 'nnplay_undo');
  await frames(page, 2);
  const restored = await api(page, 'nnplay_point_count');
  report.check(`${tag} Undo restores the points from before the demos`, restored === before,
               `before ${before}, after undo ${restored}`);

  // An unknown demo fails without touching the points.
  const bad = await showPreset(page, 'no-such-demo');
  report.check(`${tag} an unknown demo is refused`, bad === 0);
  report.check(`${tag} ... and leaves the points alone`, (await api(page, 'nnplay_point_count')) === before);

  // A ConvNet demo opens the calculator on that network: VGG-16 has 138,357,544 parameters.
  const vgg = await showPreset(page, 'convnet-vgg16');
  await frames(page, 5);
  report.check(`${tag} Show me "convnet-vgg16" succeeds`, vgg === 1);
  report.check(`${tag} the ConvNet calculator opens`, (await api(page, 'nnplay_convnet_open')) === 1);
  const params = await api(page, 'nnplay_convnet_total_params');
  report.check(`${tag} the calculator shows VGG-16 (138,357,544 params)`, params === 138357544, `got ${params}`);
  await page.screenshot({ path: path.join(outDir, 'e2e-convnet.png') });

  const errors = logs.filter((l) => l.startsWith('[pageerror]') || l.startsWith('[error]'));
  report.check(`${tag} no page errors`, errors.length === 0, errors.join(' | '));
  await page.close();
}
