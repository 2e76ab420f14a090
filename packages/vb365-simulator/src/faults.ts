// Fault rules: checked in order for every request, the first match wins and uses up one of its `times`.
import type { FaultRule, RouteName } from './types.js';

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

export class FaultRules {
  #rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    const times = rule.times ?? Infinity;
    if (!(times >= 0)) throw new RangeError(`fault rule times must be >= 0, got ${String(rule.times)}`);
    // A copy: later changes to the caller's object do not alter a rule already in force.
    this.#rules.push({ rule: { ...rule }, remaining: times });
  }

  clear(): void {
    this.#rules = [];
  }

  /** The rule that applies to this request, if any (its remaining count is decremented). */
  take(route: RouteName, organizationId: string | undefined): FaultRule | undefined {
    for (const active of this.#rules) {
      if (active.remaining <= 0 || !matches(active.rule, route, organizationId)) continue;
      active.remaining--;
      return active.rule;
    }
    return undefined;
  }
}

function matches(rule: FaultRule, route: RouteName, organizationId: string | undefined): boolean {
  if (rule.route !== '*' && rule.route !== route) return false;
  if (rule.organizationId === undefined) return true;
  return route === 'used_repositories' && rule.organizationId.toLowerCase() === organizationId?.toLowerCase();
}
