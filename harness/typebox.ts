// TypeBox for the harness: import it from here, never from '@sinclair/typebox', so there is one
// instance, loaded by require (typebox.cjs says why). The types are the ESM build's, as before:
// a user's kinds written with their own `import { Type } from '@sinclair/typebox'` type-check.
import * as typebox from './typebox.cjs';
import type * as TypeBox from '@sinclair/typebox';
import type * as TypeBoxCompiler from '@sinclair/typebox/compiler';
import type * as TypeBoxValue from '@sinclair/typebox/value';

export const Type = typebox.Type as typeof TypeBox.Type;
export const Kind: typeof TypeBox.Kind = typebox.Kind as typeof TypeBox.Kind;
export const TypeCompiler = typebox.TypeCompiler as typeof TypeBoxCompiler.TypeCompiler;
export const Value = typebox.Value as typeof TypeBoxValue.Value;
export type { Static, TLiteral, TObject, TProperties, TSchema, TUnion } from '@sinclair/typebox';
