// 24×24 stroke icons (paths drawn for this console).
import { s } from './dom.js';

const PATHS = {
  key: 'M14 10a4 4 0 1 0-3.9 4H12v2h2v2h3v-3l-3-3.1A4 4 0 0 0 14 10z M8 10h.01',
  team: 'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M3 19c0-3 3-5 6-5s6 2 6 5 M16 5a3 3 0 0 1 0 6 M18 14c2 .6 3 2.5 3 5',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 20c0-4 4-6 8-6s8 2 8 6',
  model: 'M4 7l8-4 8 4-8 4-8-4z M4 12l8 4 8-4 M4 17l8 4 8-4',
  chart: 'M4 20V4 M4 20h16 M8 16v-5 M12 16V8 M16 16v-3',
  logs: 'M5 4h14v16H5z M8 8h8 M8 12h8 M8 16h5',
  chat: 'M4 5h16v11H9l-5 4z',
  sun: 'M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M12 2v2 M12 20v2 M4.9 4.9l1.4 1.4 M17.7 17.7l1.4 1.4 M2 12h2 M20 12h2 M4.9 19.1l1.4-1.4 M17.7 6.3l1.4-1.4',
  moon: 'M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z',
  menu: 'M4 6h16 M4 12h16 M4 18h16',
  logout: 'M15 4h4v16h-4 M10 8l-4 4 4 4 M6 12h10',
};

export function icon(name) {
  return s('svg', { class: 'icon', viewBox: '0 0 24 24', width: 20, height: 20, 'aria-hidden': 'true', focusable: 'false' },
    s('path', { d: PATHS[name] ?? '' }));
}
