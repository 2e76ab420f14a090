/**
 * The floor of a per_repository cycle for any Node client: what such a cycle asks, with nothing else. The
 * organization and backup repository listings at once, then every repository's backedupOrganizations (at
 * most `connections` at a time), then `sampleSize` organizations' UsedRepositories, `connections` at a time,
 * each answer through JSON.parse. Runs `runs` times on one agent (the first opens the connections); resolves
 * each run's time. (lib/http.mjs's bareLoop is per_organization's floor.)
 */
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { login } from './http.mjs';

const LIMIT = 10_000;

export async function barePerRepository(simulator, { connections, sampleSize, runs }) {
  const agent = new Agent({ connections, keepAliveTimeout: 60_000, connect: { ca: simulator.ca } });
  try {
    const token = await login(simulator);
    const get = async (path) => {
      const { statusCode, body } = await agent.request({
        origin: simulator.url,
        method: 'GET',
        path,
        headers: { accept: 'application/json', authorization: `Bearer ${token}` },
      });
      const json = await body.json();
      if (statusCode !== 200) throw new Error(`${path} answered ${statusCode}`);
      return json;
    };
    const listAll = async (firstPath) => {
      const items = [];
      for (let path = firstPath; path !== undefined;) {
        const page = await get(path);
        items.push(...page.results);
        path = page._links?.next?.href;
      }
      return items;
    };
    const atMost = async (items, work) => {
      let next = 0;
      const worker = async () => {
        while (next < items.length) await work(items[next++]);
      };
      await Promise.all(Array.from({ length: Math.min(connections, items.length) }, worker));
    };
    const times = [];
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      const [organizations, repositories] = await Promise.all([
        listAll(`/v8/Organizations?extendedView=false&offset=0&limit=${LIMIT}`),
        listAll(`/v8/BackupRepositories?offset=0&limit=1000`),
      ]);
      await atMost(repositories, (repository) =>
        listAll(`/v8/BackupRepositories/${repository.id}/backedupOrganizations?offset=0&limit=${LIMIT}`),
      );
      await atMost(organizations.slice(0, sampleSize), (organization) =>
        listAll(`/v8/Organizations/${organization.id}/UsedRepositories?offset=0&limit=${LIMIT}`),
      );
      times.push(performance.now() - start);
    }
    return times;
  } finally {
    await agent.close();
  }
}
