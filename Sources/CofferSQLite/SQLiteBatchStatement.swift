import SQLiteNIO

/// One parameterised statement that applies many rows of a ``SQLiteWriteBatch`` at once.
///
/// Puts become one `INSERT … VALUES (…), (…) ON CONFLICT(key) DO UPDATE` per chunk and deletes one
/// `DELETE … WHERE key IN (…)` per chunk, so a batch costs one prepare and one thread hop per chunk rather
/// than per row. Chunks stay far below SQLite's limit on bound parameters (32,766 by default).
///
/// ```swift
/// for statement in SQLiteBatchStatement.statements(for: batch) {
///     _ = try await connection.query(statement.sql, statement.binds)
/// }
/// ```
struct SQLiteBatchStatement {
    let sql: String
    let binds: [SQLiteData]

    /// Rows per statement: 2 parameters per put row, 1 per delete row.
    static let rowsPerStatement = 500

    static func statements(for batch: SQLiteWriteBatch) -> [SQLiteBatchStatement] {
        var statements: [SQLiteBatchStatement] = []
        var start = 0
        while start < batch.puts.count {
            let end = min(start + rowsPerStatement, batch.puts.count)
            statements.append(upsert(batch.puts[start..<end]))
            start = end
        }
        start = 0
        while start < batch.deletes.count {
            let end = min(start + rowsPerStatement, batch.deletes.count)
            statements.append(delete(batch.deletes[start..<end]))
            start = end
        }
        return statements
    }

    private static func upsert(_ rows: ArraySlice<(key: String, value: [UInt8])>) -> SQLiteBatchStatement {
        var sql = "INSERT INTO kv(key, value) VALUES "
        var binds: [SQLiteData] = []
        binds.reserveCapacity(rows.count * 2)
        for (position, row) in rows.enumerated() {
            if position > 0 { sql += ", " }
            binds.append(.text(row.key))
            if row.value.isEmpty {
                // An empty buffer binds as NULL, which NOT NULL rejects; store a zero-length blob instead.
                sql += "(?\(binds.count), zeroblob(0))"
            } else {
                binds.append(.blob(ByteBuffer(bytes: row.value)))
                sql += "(?\(binds.count - 1), ?\(binds.count))"
            }
        }
        sql += " ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        return SQLiteBatchStatement(sql: sql, binds: binds)
    }

    private static func delete(_ keys: ArraySlice<String>) -> SQLiteBatchStatement {
        let placeholders = (1...keys.count).map { "?\($0)" }.joined(separator: ", ")
        return SQLiteBatchStatement(
            sql: "DELETE FROM kv WHERE key IN (\(placeholders))", binds: keys.map { .text($0) })
    }
}
