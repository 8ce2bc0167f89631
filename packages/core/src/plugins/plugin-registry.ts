import type { PluginDescriptor, PluginKind } from './plugin';

/**
 * Plugins by type and alias. Registering a plugin is what makes its type
 * valid in a flow and gives the validator its schema.
 */
export class PluginRegistry<P extends PluginDescriptor = PluginDescriptor> {
  readonly #byType = new Map<string, P>();
  readonly #canonical: P[] = [];

  register(...plugins: readonly P[]): this {
    for (const p of plugins) {
      for (const name of [p.type, ...(p.aliases ?? [])]) {
        const existing = this.#byType.get(name);
        if (existing && existing !== p) throw new Error(`plugin type '${name}' registered twice`);
        this.#byType.set(name, p);
      }
      this.#canonical.push(p);
    }
    return this;
  }

  /** The plugin for a type or one of its aliases. */
  get(type: string): P | undefined {
    return this.#byType.get(type);
  }

  /** Canonical plugins, optionally of one kind. */
  list(kind?: PluginKind): readonly P[] {
    return kind ? this.#canonical.filter((p) => p.kind === kind) : this.#canonical;
  }

  /** Every name that resolves (types and aliases), optionally of one kind. */
  names(kind?: PluginKind): readonly string[] {
    return [...this.#byType.entries()].filter(([, p]) => !kind || p.kind === kind).map(([n]) => n);
  }
}
