// Kysely's PostgreSQL introspector reads the tables of every schema of the database, and fails
// when another schema is dropped while it reads. Its migrator introspects at every start, so a
// Beseda beside others in one database (a schema each: a CI farm, the test suite) could fail to
// start while a neighbour was dropped. This dialect introspects the store's own schema only.
import {
  type DatabaseIntrospector,
  type DatabaseMetadataOptions,
  type Kysely,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from "kysely";

export class SchemaScopedPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

interface ColumnRow {
  table: string;
  column: string;
  data_type: string;
  nullable: string;
  default_value: string | null;
  identity: string;
}

class CurrentSchemaIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>;

  constructor(db: Kysely<unknown>) {
    this.#db = db;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string | null }>`select current_schema() as name`.execute(
      this.#db,
    );
    return rows.flatMap((row) => (row.name ? [{ name: row.name }] : []));
  }

  async getTables(
    options: DatabaseMetadataOptions = { withInternalKyselyTables: false },
  ): Promise<TableMetadata[]> {
    const { rows: tables } = await sql<{ name: string; schema: string; type: string }>`
      select table_name as name, table_schema as schema, table_type as type
      from information_schema.tables
      where table_schema = current_schema()
      order by table_name`.execute(this.#db);
    const { rows: columns } = await sql<ColumnRow>`
      select table_name as "table", column_name as "column", data_type,
        is_nullable as nullable, column_default as default_value, is_identity as identity
      from information_schema.columns
      where table_schema = current_schema()
      order by table_name, ordinal_position`.execute(this.#db);
    const byTable = Map.groupBy(columns, (column) => column.table);
    return tables
      .filter((table) => options.withInternalKyselyTables || !table.name.startsWith("kysely_"))
      .map((table) => ({
        name: table.name,
        schema: table.schema,
        isView: table.type === "VIEW",
        isForeign: table.type === "FOREIGN",
        columns: (byTable.get(table.name) ?? []).map((column) => ({
          name: column.column,
          dataType: column.data_type,
          isNullable: column.nullable === "YES",
          hasDefaultValue: column.default_value !== null,
          isAutoIncrementing:
            column.identity === "YES" || (column.default_value ?? "").startsWith("nextval("),
        })),
      }));
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<{ tables: TableMetadata[] }> {
    return { tables: await this.getTables(options) };
  }
}
