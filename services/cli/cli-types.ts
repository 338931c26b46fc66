/** The parsed command line flags every subcommand reads. */
export type Flags = Record<string, string | string[] | boolean | undefined>;

/** Where a subcommand writes its lines: standard output, or a test's list. */
export type Output = (line: string) => void;
