/** Types of exposition-parser.js (plain JavaScript, so that the bench runs it without a compiler). */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** One sample line. */
export interface Sample {
  /** The sample's name: the family's, or with `_bucket`, `_sum`, `_count` for histograms and summaries. */
  readonly name: string;
  /** Label values unescaped, in the order of the line (an object without prototype). */
  readonly labels: Readonly<Record<string, string>>;
  /** `NaN`, `+Inf` and `-Inf` (in any case, `Inf` and `Infinity` with or without sign) as NaN, Infinity and -Infinity. */
  readonly value: number;
  /** The value as written. */
  readonly rawValue: string;
  /** Milliseconds since the epoch, when the line has one. */
  readonly timestamp: number | undefined;
  /** 1-based line number. */
  readonly line: number;
}

/** One metric family: its HELP, its TYPE and its samples, in the order of the text. */
export interface Family {
  readonly name: string;
  /** The HELP text unescaped; undefined without a HELP line. */
  readonly help: string | undefined;
  /** Undefined without a TYPE line (the family is then untyped). */
  readonly type: MetricType | undefined;
  readonly samples: readonly Sample[];
}

/** Thrown on the first line that is not valid exposition text; `line` is its 1-based number. */
export declare class ExpositionError extends Error {
  readonly line: number;
  constructor(line: number, message: string);
}

/** Parses a whole exposition text into its families, in order; throws an ExpositionError on anything malformed. */
export declare function parseExposition(text: string): Family[];
