/// Where a token's expiry is recorded in storage, beside the token and in the same transaction (docs/expiration.md).
///
/// Index entries live at `expire/<bucket>/<expiry ms>-<token hash>` (empty value), where the bucket is the expiry
/// rounded up to the next whole ``bucketSeconds``: both numbers are zero-padded, so a listing is in time order,
/// and the exact expiry comes back from a listing alone, without reading the token. Each bucket that has entries
/// also has a marker, `expire-bucket/<bucket>`, so the expiration manager learns at unseal which buckets exist by
/// listing the markers (one key per minute of the future) instead of every entry.
///
/// ```swift
/// let index = ExpiryIndexKey(expireTime: 1_700_000_030.25, hash: hash)!
/// index.key        // "expire/001700000040/1700000030250-<hash>"
/// index.markerKey  // "expire-bucket/001700000040"
/// ExpiryIndexKey(bucket: index.bucket, leaf: "1700000030250-" + hash) == index   // true
/// ```
struct ExpiryIndexKey: Hashable, Sendable {
    /// Width of one bucket: the manager lists a bucket's entries shortly before its first one expires.
    static let bucketSeconds: Int64 = 60
    /// Expiries beyond this (year 2286) are recorded as this: 13 digits of milliseconds.
    static let maxMillis: Int64 = 9_999_999_999_999
    static let entryPrefix = "expire/"
    static let markerPrefix = "expire-bucket/"

    /// End of the bucket in unix seconds: every expiry in it is at most this.
    let bucket: Int64
    /// The expiry in unix milliseconds, rounded up, so a token is never treated as due before it expires.
    let millis: Int64
    let hash: String

    /// The index entry of a token that expires at `expireTime`; nil when the time is not a finite number.
    init?(expireTime: Double, hash: String) {
        guard expireTime.isFinite else { return nil }
        let scaled = (expireTime * 1000).rounded(.up)
        let millis = scaled <= 0 ? 0 : scaled >= Double(Self.maxMillis) ? Self.maxMillis : Int64(scaled)
        self.init(millis: millis, hash: hash)
    }

    /// The index entry of a stored token, or nil when the token never expires.
    init?(_ entry: TokenEntry) {
        guard let expireTime = entry.expireTime else { return nil }
        self.init(expireTime: expireTime, hash: entry.idHash)
    }

    private init(millis: Int64, hash: String) {
        let bucketMillis = Self.bucketSeconds * 1000
        self.millis = millis
        self.bucket = (millis / bucketMillis + (millis % bucketMillis == 0 ? 0 : 1)) * Self.bucketSeconds
        self.hash = hash
    }

    /// Parses a leaf listed under `expire/<bucket>/`; nil for anything this type did not write there.
    init?(bucket: Int64, leaf: String) {
        let parts = leaf.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 13, let millis = Int64(parts[0]), (0...Self.maxMillis) ~= millis,
            !parts[1].isEmpty
        else { return nil }
        self.init(millis: millis, hash: String(parts[1]))
        guard self.bucket == bucket else { return nil }
    }

    /// The expiry this entry records (never earlier than the token's own).
    var expireTime: Double { Double(millis) / 1000 }

    var key: String { Self.folder(bucket) + Self.padded(millis, 13) + "-" + hash }
    var markerKey: String { Self.markerKey(bucket) }

    /// The listing prefix of one bucket's entries.
    static func folder(_ bucket: Int64) -> String { entryPrefix + padded(bucket, 12) + "/" }
    static func markerKey(_ bucket: Int64) -> String { markerPrefix + padded(bucket, 12) }

    /// A bucket named by a listed marker or folder (`001700000040` or `001700000040/`).
    static func bucket(named name: String) -> Int64? {
        let digits = name.hasSuffix("/") ? String(name.dropLast()) : name
        guard digits.count == 12, digits.utf8.allSatisfy({ (48...57) ~= $0 }), let value = Int64(digits) else {
            return nil
        }
        return value
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
