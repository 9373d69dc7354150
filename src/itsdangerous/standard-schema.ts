/**
 * The Standard Schema v1 interface (https://standardschema.dev), vendored: the few types
 * `loads(…, { schema })` needs, so zod, valibot or arktype schemas work without a dependency.
 */

/** A Standard Schema v1 validator. */
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
