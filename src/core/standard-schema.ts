/**
 * The few Standard Schema v1 types (https://standardschema.dev) that `loads`/`decode(…, { schema })`
 * need, vendored so zod, valibot or arktype schemas work without a dependency.
 */
import { BadPayload } from '../core/errors.ts';

/**
 * A Standard Schema v1 validator (zod, valibot, arktype, …).
 *
 * @example
 * ```ts
 * const schema: StandardSchemaV1<unknown, { uid: number }> = z.object({ uid: z.number() });
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaV1.Result<Output> | Promise<StandardSchemaV1.Result<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export declare namespace StandardSchemaV1 {
  /** A validation result. */
  type Result<Output> =
    | { readonly value: Output; readonly issues?: undefined }
    | {
        readonly issues: ReadonlyArray<{
          readonly message: string;
          readonly path?: ReadonlyArray<unknown>;
        }>;
      };
  /** The output type of a schema. */
  type InferOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];
}

/**
 * What a decode returns: the schema's output type, or `unknown` without a schema.
 *
 * @example
 * ```ts
 * type User = Decoded<typeof userSchema>; // the schema's output type
 * ```
 */
export type Decoded<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : unknown;

/**
 * Run a schema synchronously. An async schema is programmer misuse (decode is synchronous):
 * `TypeError`. A failing value is a `BadPayload` whose `cause` holds the issues.
 */
export function applySchema(
  schema: StandardSchemaV1 | undefined,
  value: unknown,
  payload?: () => Uint8Array,
): unknown {
  if (schema === undefined) return value;
  const std = (schema as Partial<StandardSchemaV1>)['~standard'];
  if (std === undefined || typeof std.validate !== 'function') {
    throw new TypeError(
      'schema must be a Standard Schema (an object with a ~standard.validate function)',
    );
  }
  const result = std.validate(value);
  if (result instanceof Promise) throw new TypeError('schema must validate synchronously');
  if (result.issues !== undefined) {
    const first = result.issues[0];
    throw new BadPayload(`Payload does not match the schema${first ? `: ${first.message}` : ''}`, {
      cause: result.issues,
      payload: payload?.(),
    });
  }
  return result.value;
}
