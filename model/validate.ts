/**
 * Checks of values a user gives — on the command line or in a suite file — with one message style:
 * `--writers must be a whole number from 1 to 256, got 'abc'`. The message names the option (or the
 * suite field) and quotes exactly what was given. Pure; problems are `UsageError`s.
 */
import { UsageError } from './errors.js';

/** What a number must be. */
export interface NumberRule {
  readonly integer?: boolean;
  /** Smallest allowed value (inclusive unless `exclusiveMin`). */
  readonly min?: number;
  readonly exclusiveMin?: boolean;
  /** Largest allowed value (inclusive). */
  readonly max?: number;
}

/** `a whole number from 1 to 256`, `a number > 0`, `a whole number ≥ 0`. */
export function describeRule(rule: NumberRule): string {
  const what = rule.integer ? 'a whole number' : 'a number';
  const { min, max } = rule;
  if (min !== undefined && max !== undefined && !rule.exclusiveMin) return `${what} from ${min} to ${max}`;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${rule.exclusiveMin ? '>' : '≥'} ${min}`);
  if (max !== undefined) parts.push(`≤ ${max}`);
  return parts.length > 0 ? `${what} ${parts.join(' and ')}` : what;
}

/** Does `n` satisfy `rule`? */
export function fits(n: number, rule: NumberRule): boolean {
  if (!Number.isFinite(n)) return false;
  if (rule.integer && !Number.isInteger(n)) return false;
  if (rule.min !== undefined && (rule.exclusiveMin ? n <= rule.min : n < rule.min)) return false;
  if (rule.max !== undefined && n > rule.max) return false;
  return true;
}

/** How a given value is quoted in messages: exactly as typed. */
export function quote(given: unknown): string {
  return `'${typeof given === 'string' ? given : JSON.stringify(given) ?? String(given)}'`;
}

/**
 * A number from what the user gave (a string from the command line, a number from a suite file).
 * `name` is the option (`--writers`) or field (`suite field "writers"`).
 */
export function checkNumber(given: unknown, rule: NumberRule, name: string): number {
  const n = typeof given === 'number' ? given : typeof given === 'string' && given.trim() !== '' ? Number(given.trim()) : NaN;
  if (!fits(n, rule)) throw new UsageError(`${name} must be ${describeRule(rule)}, got ${quote(given)}`);
  return n;
}

/** One of the allowed words. */
export function checkChoice<T extends string>(given: unknown, choices: readonly T[], name: string): T {
  if (typeof given === 'string' && (choices as readonly string[]).includes(given)) return given as T;
  throw new UsageError(`${name} must be one of ${choices.join(', ')}, got ${quote(given)}`);
}

/** A list must not be empty. */
export function nonEmpty<T>(list: readonly T[], name: string, example: string): readonly T[] {
  if (list.length === 0) throw new UsageError(`${name} needs at least one value, e.g. ${example}`);
  return list;
}

/** The list without repeats, in first-seen order. */
export function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}
