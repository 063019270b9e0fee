// Names of the configured things a case refers to (channels, categories, units, clocks,
// service stages), in the language shown; codes when a list could not be read.
import { reactive } from 'vue';
import { api } from '../../api.js';
import { categories, channels, clocks, nameOf, units } from '../../refdata.js';

let stagesP = null;
function stages() {
  if (!stagesP)
    stagesP = api.get('/config/service-stages', { per_page: 500 }).then(
      (r) => r.items,
      (e) => {
        stagesP = null; // try again next time
        throw e;
      },
    );
  return stagesP;
}

/* locale: the i18n locale ref. Returns the lists and the naming functions. */
export function useCaseNames(locale) {
  const lists = reactive({ channels: [], categories: [], units: new Map(), clocks: [], stages: [] });

  async function load() {
    const set = (key, p, map = (x) => x) =>
      p.then(
        (v) => (lists[key] = map(v)),
        () => {
          /* names fall back to codes */
        },
      );
    await Promise.all([
      set('channels', channels()),
      set('categories', categories()),
      set('units', units(), (un) => new Map(un.map((u) => [u.id, u]))),
      set('clocks', clocks()),
      set('stages', stages()),
    ]);
  }

  const channelName = (code) => nameOf(lists.channels.find((x) => x.code === code), locale.value) || code || '—';
  const categoryName = (code) => nameOf(lists.categories.find((x) => x.code === code), locale.value) || code || '—';
  const stageName = (code) => nameOf(lists.stages.find((x) => x.code === code), locale.value) || code || '—';
  const unitName = (id) => (id ? lists.units.get(id)?.name ?? `#${id}` : '—');
  function clockName(name) {
    const cl = lists.clocks.find((x) => x.name === name);
    if (!cl) return name;
    return (locale.value === 'en' ? cl.text_en : cl.text_zh) || name;
  }

  return { lists, load, channelName, categoryName, stageName, unitName, clockName };
}
