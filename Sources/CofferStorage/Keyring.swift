import Crypto
import Foundation

/// The barrier's data-encryption keys by term. New writes use ``activeTerm``; older terms stay so
/// values written before a rotation still decrypt.
///
/// ```swift
/// var keyring = Keyring.initial(now: Date())     // term 1
/// keyring = keyring.rotated(now: Date())         // term 2 active, term 1 kept
/// let blob = try keyring.sealed(with: sealKey)   // what `core/keyring` holds
/// ```
struct Keyring: Sendable {
    struct Term: Sendable {
        let key: SymmetricKey
        let installTime: Date
    }

    private(set) var activeTerm: UInt32
    private(set) var terms: [UInt32: Term]

    /// Physical path of the encrypted keyring; also its additional authenticated data.
    static let path = "core/keyring"

    static func initial(now: Date) -> Keyring {
        Keyring(activeTerm: 1, terms: [1: Term(key: SymmetricKey(size: .bits256), installTime: now)])
    }

    var active: Term { terms[activeTerm]! }

    func rotated(now: Date) -> Keyring {
        var next = self
        let term = (terms.keys.max() ?? 0) + 1
        next.terms[term] = Term(key: SymmetricKey(size: .bits256), installTime: now)
        next.activeTerm = term
        return next
    }

    // MARK: Persistence

    /// JSON shape of the keyring before it is encrypted with the seal key.
    private struct Record: Codable {
        struct Entry: Codable {
            var term: UInt32
            var key: Data
            var installTime: Date
        }
        var activeTerm: UInt32
        var keys: [Entry]
    }

    /// The keyring encrypted with `sealKey`, in the barrier's value format with term 0 (the seal key).
    func sealed(with sealKey: SymmetricKey) throws -> [UInt8] {
        let record = Record(
            activeTerm: activeTerm,
            keys: terms.sorted { $0.key < $1.key }.map { term, entry in
                Record.Entry(term: term, key: entry.key.withUnsafeBytes { Data($0) }, installTime: entry.installTime)
            })
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let plaintext = try encoder.encode(record)
        return try BarrierCipher.encrypt(Array(plaintext), key: sealKey, term: 0, path: Self.path)
    }

    /// Decrypts and parses a keyring blob; a key that does not authenticate it is the wrong seal key.
    static func unsealed(_ blob: [UInt8], with sealKey: SymmetricKey) throws -> Keyring {
        guard let header = BarrierCipher.Header(blob), header.term == 0 else {
            throw StorageError.corrupt(key: path)
        }
        let plaintext: [UInt8]
        do {
            plaintext = try BarrierCipher.decrypt(blob, header: header, key: sealKey, path: path)
        } catch {
            throw StorageError.invalidSealKey("the seal key does not decrypt the keyring")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let record = try? decoder.decode(Record.self, from: Data(plaintext)) else {
            throw StorageError.corrupt(key: path)
        }
        var terms: [UInt32: Term] = [:]
        for entry in record.keys {
            guard entry.key.count == 32 else { throw StorageError.corrupt(key: path) }
            terms[entry.term] = Term(key: SymmetricKey(data: entry.key), installTime: entry.installTime)
        }
        guard terms[record.activeTerm] != nil else { throw StorageError.corrupt(key: path) }
        return Keyring(activeTerm: record.activeTerm, terms: terms)
    }
}
