// The extension seam. A power driver, OTA transport, installer or commit method is one module
// that declares its rig options (a TypeBox schema, `kind` included) beside its factory. A
// registry per category holds the project's kinds, one line each; a user's config may add more
// (registerKinds). The rig schema's unions are built from the registries, so validation, the
// JSON Schema and the pointer-precise errors cover every registered kind alike.
import { Type, type Static, type TLiteral, type TObject, type TProperties, type TSchema, type TUnion } from '../typebox.ts';
import { closed } from './schema-parts.ts';

export interface KindDef<S extends TSchema = TSchema, Ctx = never, R = unknown> {
  readonly kind: string;
  /** The whole rig entry, `kind` literal included: a closed object. */
  readonly schema: S;
  create(config: Static<S>, ctx: Ctx): R;
}

/** A kind's rig entry: `{ kind: "<kind>", ...options }`. */
export type KindEntry<K extends string, P extends TProperties> = TObject<{ kind: TLiteral<K> } & P>;

/** The schema of one kind's rig entry, closed. */
export function kindSchema<K extends string, P extends TProperties>(kind: K, options: P, description?: string): KindEntry<K, P> {
  return closed({ kind: Type.Literal(kind), ...options }, description ? { description } : {});
}

/** Declare a kind: its options and its factory, typed from the options. */
export function defineKind<K extends string, P extends TProperties, Ctx, R>(def: {
  kind: K;
  options: P;
  description?: string;
  create: (config: Static<KindEntry<K, P>>, ctx: Ctx) => R;
}): KindDef<KindEntry<K, P>, Ctx, R> {
  return { kind: def.kind, schema: kindSchema(def.kind, def.options, def.description), create: def.create };
}

type Schemas<T extends readonly KindDef[]> = { -readonly [I in keyof T]: T[I]['schema'] };

/** The union of the given kinds' schemas (its static type is the union of their configs). */
export const unionOf = <T extends readonly KindDef[]>(defs: T): TUnion<Schemas<T>> => Type.Union(defs.map((d) => d.schema)) as unknown as TUnion<Schemas<T>>;

/** One category's kinds: the project's own, then any a user's config registered. */
export class KindRegistry<Ctx, R> {
  private readonly extra: KindDef<TSchema, Ctx, R>[] = [];

  constructor(
    /** e.g. "power", as in the rig: boards/N/power. */
    readonly category: string,
    private readonly builtins: readonly KindDef<TSchema, Ctx, R>[],
  ) {}

  get kinds(): readonly KindDef<TSchema, Ctx, R>[] {
    return [...this.builtins, ...this.extra];
  }

  /** Whether `kind` is one a user's config registered (not one of the project's own). */
  isUserKind(kind: string): boolean {
    return this.extra.some((k) => k.kind === kind);
  }

  /** Add a user's kind. The same definition twice is a no-op (a config evaluated again); another of the same name is refused. */
  register(def: KindDef<TSchema, Ctx, R>): void {
    const known = this.kinds.find((k) => k.kind === def.kind);
    if (known === def) return;
    if (known) throw new Error(`${this.category} kind ${JSON.stringify(def.kind)} is already registered`);
    if (kindOfSchema(def.schema) !== def.kind) throw new Error(`${this.category} kind ${JSON.stringify(def.kind)}: its schema must fix "kind" to that name (use defineKind)`);
    this.extra.push(def);
  }

  /** Returns an undo that forgets the kinds registered after this call. */
  checkpoint(): () => void {
    const n = this.extra.length;
    return () => void this.extra.splice(n);
  }

  /** The union every board's entry is validated against. */
  schema(): TUnion {
    return Type.Union(this.kinds.map((k) => k.schema));
  }

  /** Build the part for `config`; an unknown kind names the board and what is known. */
  create(config: AnyKindConfig, ctx: Ctx, board: string): R {
    const def = this.kinds.find((k) => k.kind === config.kind);
    if (!def) throw new Error(`${board}: unknown ${this.category} kind ${JSON.stringify(config.kind)} (known: ${this.kinds.map((k) => k.kind).join(', ')})`);
    return def.create(config, ctx);
  }
}

/** A rig entry of any registered kind, as a factory receives it untyped. */
export type AnyKindConfig = { kind: string } & Record<string, unknown>;

const kindOfSchema = (s: TSchema): unknown => (s.properties as Record<string, TSchema> | undefined)?.kind?.const as unknown;
