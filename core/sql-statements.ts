/**
 * The statements of a SQL text, split on the semicolons that end them: not those inside '...' strings,
 * "..." identifiers or comments. Athena runs one statement per query, and DuckDB would run several and
 * answer only the last, so the engines refuse more than one instead of dropping some silently.
 */
export function sqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const text = sql.slice(start, end);
    if (stripComments(text).trim() !== '') statements.push(text.trim());
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      // A quote inside is written twice ('it''s'), which this loop reads as two adjacent quoted parts.
      const close = sql.indexOf(c, i + 1);
      i = close < 0 ? sql.length : close + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === ';') {
      push(i);
      start = i + 1;
      i += 1;
    } else i += 1;
  }
  push(sql.length);
  return statements;
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** The one statement of a query, or an error that says why there is not exactly one. */
export function singleStatement(sql: string): string {
  const statements = sqlStatements(sql);
  if (statements.length === 0) throw new EmptyQueryError('the query is empty');
  if (statements.length > 1) {
    const heads = statements.map((s) => (s.length > 30 ? `${s.slice(0, 30)}...` : s)).join('; ');
    throw new MultipleStatementsError(`one statement per query, and this has ${statements.length} (${heads}): run them one at a time`);
  }
  return statements[0]!;
}

export class EmptyQueryError extends Error {
  override name = 'EmptyQueryError';
}
export class MultipleStatementsError extends Error {
  override name = 'MultipleStatementsError';
}
