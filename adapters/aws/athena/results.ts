/**
 * GetQueryResults, every page. For a SELECT (statement type DML) Athena sends the column labels as the
 * first row of the first page: that row is dropped, on that page only; DDL and utility statements
 * (SHOW, DESCRIBE, ALTER, ...) have no such row. Cells are typed from the first page's ColumnInfo.
 */
import { GetQueryResultsCommand, type AthenaClient, type ColumnInfo, type Row } from '@aws-sdk/client-athena';
import { typedRows } from './values';

export interface QueryRows {
  readonly columns: ColumnInfo[];
  readonly rows: Record<string, unknown>[];
  /** Pages read (GetQueryResults calls that returned). */
  readonly pages: number;
}

/** GetQueryResults' largest page. */
export const MAX_PAGE_SIZE = 1000;

export async function readResults(
  client: AthenaClient,
  queryExecutionId: string,
  statementType: string | undefined,
  retrying: <T>(what: string, call: () => Promise<T>) => Promise<T>,
  pageSize = MAX_PAGE_SIZE,
): Promise<QueryRows> {
  let columns: ColumnInfo[] | undefined;
  const rows: Record<string, unknown>[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await retrying('GetQueryResults', () =>
      client.send(new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, MaxResults: pageSize, NextToken: token })),
    );
    columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    let data: Row[] = page.ResultSet?.Rows ?? [];
    if (pages === 0 && statementType === 'DML') data = data.slice(1);
    pages += 1;
    for (const row of typedRows(columns, data)) rows.push(row);
    token = page.NextToken;
  } while (token);
  return { columns: columns ?? [], rows, pages };
}
