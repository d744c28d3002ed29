import CofferStorage
import PostgresNIO

/// The statements that apply one folded ``StorageWriteBatch``: at most one upsert and one delete, whatever the
/// batch's size, each binding whole arrays (`unnest($1::text[], $2::bytea[])`, `key = ANY($1::text[])`), so a
/// commit costs the same round trips for 1 row or 600 and no value is ever written into the SQL text.
///
/// ```swift
/// for statement in PostgresBatchStatement.statements(for: batch, table: "\"coffer_kv_store\"") {
///     try await connection.query(statement, logger: logger)
/// }
/// ```
enum PostgresBatchStatement {
    /// `quotedTable` is the validated, quoted table name.
    static func statements(for batch: StorageWriteBatch, quotedTable: String) -> [PostgresQuery] {
        var statements: [PostgresQuery] = []
        if !batch.puts.isEmpty {
            let keys = batch.puts.map(\.key)
            let values = batch.puts.map { ByteBuffer(bytes: $0.value) }
            statements.append(
                """
                INSERT INTO \(unescaped: quotedTable) (key, value)
                SELECT * FROM unnest(\(keys)::text[], \(values)::bytea[])
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                """)
        }
        if !batch.deletes.isEmpty {
            statements.append("DELETE FROM \(unescaped: quotedTable) WHERE key = ANY(\(batch.deletes)::text[])")
        }
        return statements
    }
}
