import CofferStorage

/// SQLite's name for the backend-neutral batch folding, which moved to ``StorageWriteBatch`` in CofferStorage so
/// the PostgreSQL backend folds its group commits the same way.
///
/// ```swift
/// let batch = SQLiteWriteBatch([[.put(key: "a", value: [1])], [.delete(key: "a")]])
/// batch.deletes   // ["a"]
/// ```
typealias SQLiteWriteBatch = StorageWriteBatch
