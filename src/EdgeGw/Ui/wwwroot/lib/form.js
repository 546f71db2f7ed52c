// Declarative forms for the admin objects: a list of field specs becomes labelled controls, and
// read() turns them back into a LiteLLM request body.
import { h, field, uid } from './dom.js';
import { splitList } from './format.js';

/**
 * spec: {name, label, type: text|money|int|list|select|duration|password|textarea, testid, hint,
 *        placeholder, options: [[value, label]], required, suggestions: [string]}
 */
function control(spec, value) {
  const common = { name: spec.name, 'data-testid': spec.testid, placeholder: spec.placeholder, required: spec.required, autocomplete: 'off' };
  switch (spec.type) {
    case 'money':
      return h('input', { ...common, type: 'number', min: '0', step: 'any', inputmode: 'decimal', value: value ?? '' });
    case 'int':
      return h('input', { ...common, type: 'number', min: '0', step: '1', inputmode: 'numeric', value: value ?? '' });
    case 'list': {
      const input = h('input', { ...common, type: 'text', value: Array.isArray(value) ? value.join(', ') : value ?? '' });
      if (spec.suggestions?.length) {
        const list = h('datalist', { id: uid('dl') }, spec.suggestions.map(s => h('option', { value: s })));
        input.setAttribute('list', list.id);
        return [input, list];
      }
      return input;
    }
    case 'select':
    case 'duration': {
      const options = spec.type === 'duration'
        ? [['', spec.emptyLabel ?? 'No reset'], ['1h', 'Hourly (1h)'], ['1d', 'Daily (1d)'], ['7d', 'Weekly (7d)'], ['30d', '30 days'], ['1mo', 'Monthly (1mo)']]
        : spec.options;
      const all = value && !options.some(([v]) => v === value) ? [...options, [value, value]] : options;
      return h('select', common, all.map(([v, label]) => h('option', { value: v, selected: v === (value ?? '') }, label)));
    }
    case 'textarea':
      return h('textarea', { ...common, rows: spec.rows ?? 4, value: value ?? '' });
    default:
      return h('input', { ...common, type: spec.type === 'password' ? 'password' : 'text', value: value ?? '' });
  }
}

/** A <form> with the fields laid out in a responsive grid. */
export function buildForm(specs, values = {}, ...extra) {
  const form = h('form', { class: 'form-grid', novalidate: false });
  for (const spec of specs) {
    const made = control(spec, values[spec.name]);
    const [input, ...rest] = Array.isArray(made) ? made : [made];
    const wrap = field(spec.label, input, spec.hint);
    if (spec.wide) wrap.classList.add('wide');
    wrap.append(...rest);
    form.append(wrap);
  }
  form.append(...extra);
  return form;
}

/**
 * The request body. Creating: blank fields are left out. Updating: a blank field is sent as null
 * (LiteLLM clears it), except those marked keepBlank (e.g. a new expiry).
 */
export function readForm(form, specs, { update = false } = {}) {
  const body = {};
  for (const spec of specs) {
    if (spec.readonly) continue;
    const el = form.elements[spec.name];
    if (!el) continue;
    const raw = el.value.trim();
    let value;
    switch (spec.type) {
      case 'money': value = raw === '' ? null : Number(raw); break;
      case 'int': value = raw === '' ? null : parseInt(raw, 10); break;
      case 'list': value = splitList(raw); break;
      default: value = raw === '' ? null : raw;
    }
    const blank = value === null || (Array.isArray(value) && value.length === 0);
    if (blank && (!update || spec.keepBlank)) continue;
    body[spec.name] = value;
  }
  return body;
}

/** The budget and limit fields keys, teams and users share; testids are `<prefix>-max-budget` etc. */
export function limitFields(prefix, models = []) {
  return [
    { name: 'max_budget', label: 'Max budget (USD)', type: 'money', testid: `${prefix}-max-budget`, placeholder: 'No limit' },
    { name: 'budget_duration', label: 'Budget resets', type: 'duration', testid: `${prefix}-budget-duration` },
    { name: 'models', label: 'Models', type: 'list', testid: `${prefix}-models`, placeholder: 'All models', hint: 'Comma-separated; empty allows every model', suggestions: models, wide: true },
    { name: 'rpm_limit', label: 'Requests / min', type: 'int', testid: `${prefix}-rpm`, placeholder: 'No limit' },
    { name: 'tpm_limit', label: 'Tokens / min', type: 'int', testid: `${prefix}-tpm`, placeholder: 'No limit' },
    { name: 'max_parallel_requests', label: 'Parallel requests', type: 'int', testid: `${prefix}-parallel`, placeholder: 'No limit' },
  ];
}
