import CofferStorage
import HummingbirdBcrypt
import NIOPosix

/// Hashes and checks userpass passwords with bcrypt at Vault's cost (10), off the event loops and off Swift's
/// cooperative pool: each hash is tens of milliseconds of CPU, and a burst of logins on the cooperative pool's
/// few threads would stall every other request (docs/userpass-auth.md § Passwords).
///
/// ```swift
/// let hash = try await PasswordHasher.hash("s3cret")            // "$2b$10$…"
/// let ok = try await PasswordHasher.verify("s3cret", hash: hash)  // constant-time compare inside bcrypt
/// ```
enum PasswordHasher {
    /// Vault's userpass uses Go's `bcrypt.DefaultCost`.
    static let cost: UInt8 = 10
    /// bcrypt reads at most this many bytes; Go's bcrypt refuses to hash a longer password.
    static let maxPasswordBytes = 72

    /// A pool of its own, so bcrypt never queues behind (or delays) the file I/O of NIO's shared pool. Started on
    /// first use and kept for the life of the process, as NIO's own singleton pool is.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    /// The hash an unknown user's login is checked against, so that it costs what a known user's does.
    private static let dummyHash = Bcrypt.hash(
        SecureRandom.bytes(24).map { String($0, radix: 16) }.joined(), cost: cost)

    /// Whether bcrypt can keep all of `password`: no NUL (the C code stops there) and at most 72 bytes.
    static func problem(with password: String) -> String? {
        if password.utf8.contains(0) { return "password must not contain NUL characters" }
        if password.utf8.count > maxPasswordBytes { return "bcrypt: password length exceeds 72 bytes" }
        return nil
    }

    static func hash(_ password: String) async throws -> String {
        try await pool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Checks `password` against `hash`, or against a throw-away hash when there is no user (`hash == nil`), and
    /// answers false then. A password bcrypt would truncate never matches.
    static func verify(_ password: String, hash: String?) async throws -> Bool {
        let usable = problem(with: password) == nil
        // The dummy hash is built on the pool too: its first use costs a whole bcrypt run.
        let matches = try await pool.runIfActive { Bcrypt.verify(usable ? password : "", hash: hash ?? dummyHash) }
        return matches && usable && hash != nil
    }
}
