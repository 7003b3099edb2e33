/** asl-validator 4 ships no types; this is the part of its API the tests use. */
declare module 'asl-validator' {
  interface ValidationOptions {
    readonly checkPaths: boolean;
    readonly checkArn: boolean;
  }
  interface ValidationResult {
    readonly isValid: boolean;
    readonly errors: ReadonlyArray<{ readonly 'Error code': string; readonly Message: string }>;
    errorsText(separator?: string): string;
  }
  function aslValidator(definition: unknown, options: ValidationOptions): ValidationResult;
  export = aslValidator;
}
