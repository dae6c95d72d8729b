// doctor's check of [agent] providers: each key reads, and the provider takes it (one free request each, the
// same serve's start makes: serve/provider-check.ts). The shared state's view (limited, failed) is peek's.
import { setupPool, type ProviderReader } from '../serve/pool-setup.js';
import { checkPool } from '../serve/provider-preflight.js';
import { ok, problem, type DoctorCheck } from './doctor-types.js';

export function providersCheck(read?: ProviderReader): DoctorCheck {
  return {
    name: 'providers',
    verifies: 'each provider of [agent] providers has a key that can be read and that the provider takes (one request that costs no tokens)',
    async run(i) {
      if (!i.config) return ok('not checked: the config is broken (see config)');
      const setup = await setupPool(i.config, read);
      if (!setup) return ok('no [agent] providers: the agent uses its own login');
      const said = new Map<string, string>();
      const bad: string[] = [];
      for (const [name, why] of setup.unreadable) bad.push(`${name}: key: ${why}`);
      for (const { member, result } of await checkPool(setup)) {
        if (result.ok === false) bad.push(`${member.name}: ${result.why}`);
        else said.set(member.name, result.ok ? `ok (${result.detail})` : result.detail);
      }
      if (bad.length) return problem(bad.join('; '), 'fix the key or its template (docs/providers.md), then `agent-runner start`');
      return ok(setup.pool.members.map((m) => `${m.name}: ${said.get(m.name) ?? '?'}`).join('; '));
    },
  };
}
