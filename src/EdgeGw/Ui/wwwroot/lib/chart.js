// Hand-drawn SVG charts sized to their container (redrawn when it resizes). Colours come from
// CSS classes (.series-0 …) so both themes apply; each chart has an aria-label summary and
// every point a <title> tooltip.
import { s, h } from './dom.js';

const PAD = { top: 12, right: 12, bottom: 28, left: 56 };
const CHAR_PX = 6.6;

/** Rounded axis maximum and 4 ticks. */
function ticks(max) {
  if (!(max > 0)) return [0, 1, 2, 3, 4].map(i => i / 4);
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(x => x >= raw);
  return [0, 1, 2, 3, 4].map(i => i * step);
}

function frame(width, height, labels, yTicks, fmt) {
  // The y axis is as wide as its longest label (money labels can be long: $0.00075).
  const left = Math.max(PAD.left, 12 + CHAR_PX * Math.max(...yTicks.map(t => fmt(t).length)));
  const plotW = width - left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const top = yTicks[yTicks.length - 1] || 1;
  const y = v => PAD.top + plotH - (v / top) * plotH;
  const g = s('g', { class: 'axis' });
  for (const t of yTicks) {
    g.append(s('line', { x1: left, x2: width - PAD.right, y1: y(t), y2: y(t), class: 'grid' }));
    g.append(s('text', { x: left - 6, y: y(t) + 4, 'text-anchor': 'end' }, fmt(t)));
  }
  const every = Math.max(1, Math.ceil(labels.length / Math.max(1, Math.floor(plotW / 70))));
  const band = plotW / Math.max(1, labels.length);
  labels.forEach((label, i) => {
    if (i % every) return;
    g.append(s('text', { x: left + band * (i + 0.5), y: height - 8, 'text-anchor': 'middle' }, shortLabel(label)));
  });
  return { g, y, band, left };
}

const shortLabel = l => (/^\d{4}-\d{2}-\d{2}$/.test(l) ? l.slice(5) : l);

/**
 * Bars per label; several series stack. spec: {labels, series: [{name, values}], format, height}.
 * type 'line' draws lines with points instead.
 */
export function drawChart(spec, width) {
  const height = spec.height ?? 220;
  const { labels, series, format = String, type = 'bar' } = spec;
  const totals = labels.map((_, i) => type === 'bar' ? series.reduce((a, ser) => a + (ser.values[i] || 0), 0) : Math.max(...series.map(ser => ser.values[i] || 0)));
  const yTicks = ticks(Math.max(0, ...totals));
  const { g, y, band, left } = frame(width, height, labels, yTicks, format);
  const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': spec.label ?? '' }, g);
  if (type === 'bar') {
    const barW = Math.max(2, Math.min(40, band * 0.7));
    labels.forEach((label, i) => {
      let base = 0;
      series.forEach((ser, k) => {
        const v = ser.values[i] || 0;
        if (v <= 0) return;
        const y0 = y(base), y1 = y(base + v);
        base += v;
        svg.append(s('rect', { x: left + band * i + (band - barW) / 2, y: y1, width: barW, height: Math.max(1, y0 - y1), rx: 2, class: `series-${k}` },
          s('title', null, `${label} · ${ser.name}: ${format(v)}`)));
      });
    });
  } else {
    series.forEach((ser, k) => {
      const pts = ser.values.map((v, i) => [left + band * (i + 0.5), y(v || 0)]);
      svg.append(s('polyline', { points: pts.map(p => p.join(',')).join(' '), class: `line series-${k}` }));
      pts.forEach(([px, py], i) => svg.append(s('circle', { cx: px, cy: py, r: labels.length > 40 ? 2 : 3.5, class: `dot series-${k}` },
        s('title', null, `${labels[i]} · ${ser.name}: ${format(ser.values[i] || 0)}`))));
    });
  }
  return svg;
}

/** A chart card that redraws at its container's width. */
export function chart(spec) {
  const box = h('div', { class: 'chart-box' });
  let last = 0;
  const draw = () => {
    const w = Math.max(240, Math.floor(box.clientWidth));
    if (w === last) return;
    last = w;
    box.replaceChildren(drawChart(spec, w));
  };
  new ResizeObserver(draw).observe(box);
  const legend = spec.series.length > 1
    ? h('ul', { class: 'legend' }, spec.series.map((ser, k) => h('li', null, h('span', { class: `swatch series-${k}`, 'aria-hidden': 'true' }), ser.name)))
    : null;
  return h('div', null, box, legend);
}

/** Ranked horizontal bars (top models, keys): [{label, value, sub}] */
export function rankBars(items, format = String) {
  const max = Math.max(0, ...items.map(i => i.value));
  return h('ol', { class: 'rank' }, items.map(item => {
    const bar = h('span', { class: 'rank-bar', 'aria-hidden': 'true' });
    bar.style.width = (max > 0 ? (item.value / max) * 100 : 0).toFixed(1) + '%';
    return h('li', null,
      h('div', { class: 'rank-text' }, h('span', { class: 'rank-label', title: item.label }, item.label), h('span', { class: 'rank-value' }, format(item.value))),
      h('div', { class: 'rank-track' }, bar), item.sub ? h('small', { class: 'muted' }, item.sub) : null);
  }));
}
