import { dlqListPage, dlqPage } from './pages/dlq.js';
import { jobPage } from './pages/jobs.js';
import { consumerGroupPage, groupListPage } from './pages/groups.js';
import { recordsPage } from './pages/records.js';
import { schedulePage, schedulesPage } from './pages/schedules.js';
import { shareGroupPage } from './pages/share-groups.js';
import { topicPage, topicsPage } from './pages/topics.js';
import { sample } from './history.js';

const root = document.getElementById('page') as HTMLElement;

/**
 * Hash routes: #/topics, #/topics/t, #/records/t/p/offset|tMS, #/groups(/g), #/share-groups(/g),
 * #/jobs/g/t/p/offset and #/jobs/g/t/key/k (one job of a share group), #/dlq(/t), #/schedules(/s).
 */
async function route(hash: string): Promise<HTMLElement> {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').map(decodeURIComponent);
  const after = new URLSearchParams(query).get('after') ?? '';
  switch (parts[0]) {
    case 'topics':
      return parts[1] ? topicPage(parts[1]) : topicsPage();
    case 'records': {
      const at = parts[3] ?? '';
      return at.startsWith('t')
        ? recordsPage(parts[1], Number(parts[2] ?? 0), undefined, Number(at.slice(1)))
        : recordsPage(parts[1] ?? '', Number(parts[2] ?? 0), at ? Number(at) : undefined);
    }
    case 'groups':
      return parts[1] ? consumerGroupPage(parts[1]) : groupListPage('consumer', after);
    case 'share-groups':
      return parts[1] ? shareGroupPage(parts[1]) : groupListPage('share', after);
    case 'jobs':
      return jobPage(parts[1], parts[2], [parts[3], parts[4]]);
    case 'dlq':
      return parts[1] ? dlqPage(parts[1]) : dlqListPage();
    case 'schedules':
      return parts[1] ? schedulePage(parts[1]) : schedulesPage();
    default:
      return topicsPage();
  }
}

let rendering = 0;
async function render(): Promise<void> {
  const mine = ++rendering;
  const first = location.hash.replace(/^#\/?/, '').split('/')[0] || 'topics';
  // A job page belongs to the share groups.
  const section = first === 'jobs' ? 'share-groups' : first;
  for (const a of document.querySelectorAll('nav a'))
    a.classList.toggle('active', a.getAttribute('href') === `#/${section}`);
  try {
    const page = await route(location.hash);
    if (mine === rendering) root.replaceChildren(page);
  } catch (error) {
    if (mine === rendering)
      root.replaceChildren(
        Object.assign(document.createElement('p'), {
          className: 'error',
          textContent: String((error as Error).message),
        }),
      );
  } finally {
    document.body.dataset.rendered = String(mine);
  }
}

window.addEventListener('hashchange', () => void render());
await sample().catch(() => undefined);
await render();
// Counters are sampled every 2 s for the charts; a page re-renders only when asked (no jumping tables).
setInterval(() => void sample().catch(() => undefined), 2_000);
