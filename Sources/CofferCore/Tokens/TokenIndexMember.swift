/// A token's name in the `parent/<parent hash>/` and `mount/<auth mount accessor>/` indexes:
/// `<creation time in unix ms, 13 digits>-<token hash>`.
///
/// Named by creation time so that tokens created together append to the end of their folder. Token hashes are
/// random: named by hash alone, every new token landed on a random leaf of a B-tree store (SQLite), and each commit
/// wrote one more page per token. Members written before this layout are the bare hash; both are read, and
/// revocation deletes both spellings (docs/tokens.md).
///
/// ```swift
/// let member = TokenIndexMember(entry)                  // name "1765000000123-3fa2…", hash "3fa2…"
/// TokenIndexMember(listed: member.name)?.hash == entry.idHash   // true
/// TokenIndexMember(listed: entry.idHash)?.hash == entry.idHash  // true: the earlier layout
/// ```
struct TokenIndexMember: Hashable, Sendable {
    /// The last path segment stored under the index folder.
    let name: String
    /// The hash of the token it names.
    let hash: String

    /// The member a token is indexed under from now on.
    init(_ entry: TokenEntry) {
        let scaled = (entry.creationTime * 1000).rounded(.up)
        let millis: Int64 =
            !scaled.isFinite || scaled <= 0
            ? 0 : scaled >= Double(ExpiryIndexKey.maxMillis) ? ExpiryIndexKey.maxMillis : Int64(scaled)
        let digits = String(millis)
        self.name = String(repeating: "0", count: max(0, 13 - digits.count)) + digits + "-" + entry.idHash
        self.hash = entry.idHash
    }

    /// A name listed under an index folder; nil for a folder (a name ending in `/`) or an empty name.
    init?(listed name: String) {
        guard !name.isEmpty, !name.hasSuffix("/") else { return nil }
        self.name = name
        if let dash = name.lastIndex(of: "-") {
            self.hash = String(name[name.index(after: dash)...])
        } else {
            self.hash = name
        }
        guard !hash.isEmpty else { return nil }
    }

    /// Every name `entry` may be stored under in a folder: this layout's and the bare hash of the earlier one.
    static func names(of entry: TokenEntry) -> [String] { [TokenIndexMember(entry).name, entry.idHash] }
}
