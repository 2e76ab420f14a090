/** ID order: the store's order, sorted once per cycle, which every rendering uses as it is (stable output). */
export function sortedById<T extends { readonly id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
