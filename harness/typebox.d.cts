// typebox.cjs holds TypeBox's CommonJS build; typebox.ts gives it the ESM build's types, the ones
// a user's own TypeBox code has.
export declare const Type: unknown;
export declare const Kind: unknown;
export declare const TypeCompiler: unknown;
export declare const Value: unknown;
