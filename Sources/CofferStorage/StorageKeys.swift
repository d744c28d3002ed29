import Foundation

/// Key rules and the listing contract shared by every ``PhysicalStorage`` implementation.
///
/// Keys compare by their UTF-8 bytes (SQLite's BINARY collation, Go's `sort.Strings`), not by
/// Swift's canonical-equivalence `String` ordering, so every backend lists in the same order.
///
/// ```swift
/// var children = StorageKeys.Children(prefix: "a/")
/// for key in ["a/b", "a/c/d", "a/c/e"] { children.add(key) }
/// children.list // ["b", "c/"]
/// ```
public enum StorageKeys {
    /// Rejects keys the listing contract cannot represent: empty keys, keys ending in `/` (they
    /// would be indistinguishable from folders) and NUL characters (SQLite text truncates at NUL).
    public static func validate(_ key: String) throws {
        guard !key.isEmpty else { throw StorageError.backend("storage key must not be empty") }
        guard key.utf8.last != UInt8(ascii: "/") else {
            throw StorageError.backend("storage key must not end with '/': \(key)")
        }
        let hasNUL =
            key.utf8.withContiguousStorageIfAvailable {
                $0.isEmpty ? false : memchr($0.baseAddress!, 0, $0.count) != nil
            }
            ?? key.utf8.contains(0)
        guard !hasNUL else { throw StorageError.backend("storage key must not contain NUL") }
    }

    public static func validate(_ operations: [StorageOperation]) throws {
        for operation in operations {
            switch operation {
            case .put(let key, _), .delete(let key): try validate(key)
            }
        }
    }

    /// The smallest string greater than every string starting with `prefix`, or `nil` when no such
    /// bound exists (empty prefix). Used as the exclusive end of an index range scan.
    public static func upperBound(forPrefix prefix: String) -> String? {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.last, last.value == 0x10FFFF { scalars.removeLast() }
        guard let last = scalars.popLast() else { return nil }
        // Skip the surrogate gap, which has no scalar values.
        let nextValue = last.value == 0xD7FF ? 0xE000 : last.value + 1
        guard let next = Unicode.Scalar(nextValue) else { return nil }
        scalars.append(next)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Folds a byte-sorted sequence of keys under `prefix` into its immediate children.
    public struct Children {
        public let prefix: String
        public private(set) var list: [String] = []

        public init(prefix: String) { self.prefix = prefix }

        public mutating func add(_ key: String) {
            let utf8 = key.utf8
            guard utf8.starts(with: prefix.utf8) else { return }
            let rest = utf8.dropFirst(prefix.utf8.count)
            guard !rest.isEmpty else { return }
            let child: String
            if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
                child = String(decoding: rest[...slash], as: UTF8.self)
            } else {
                child = String(decoding: rest, as: UTF8.self)
            }
            // Sorted keys yield sorted children with duplicates adjacent (all keys of a folder are contiguous).
            if list.last?.utf8.elementsEqual(child.utf8) != true { list.append(child) }
        }
    }
}
