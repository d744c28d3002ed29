import Foundation
import Synchronization

/// Bytes from the operating system's CSPRNG, read 4 KiB at a time.
///
/// `SystemRandomNumberGenerator` makes one `getrandom` system call per 8 bytes, so a login (two token
/// identifiers, three AES-GCM nonces) made over a dozen. This reads the same kernel generator
/// (`/dev/urandom`, which never blocks once the kernel is seeded) in bulk and hands out each byte once,
/// zeroing what it hands out. Falls back to `SystemRandomNumberGenerator` if the device cannot be read.
///
/// ```swift
/// let nonce = try AES.GCM.Nonce(data: SecureRandom.bytes(12))
/// ```
public enum SecureRandom {
    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var next = 4096
        var device: Int32 = -2  // -2: not opened yet; -1: unavailable
    }

    private static let pool = Mutex(Pool())

    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        result.withUnsafeMutableBytes { fill($0) }
        return result
    }

    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count <= 256 else { return fillFromSystem(buffer) }
        pool.withLock { pool in
            if pool.next + buffer.count > pool.bytes.count {
                guard refill(&pool) else { return fillFromSystem(buffer) }
            }
            pool.bytes.withUnsafeMutableBytes { source in
                let range = pool.next..<(pool.next + buffer.count)
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[range]))
                // Handed-out bytes do not stay behind in the pool.
                UnsafeMutableRawBufferPointer(rebasing: source[range]).initializeMemory(as: UInt8.self, repeating: 0)
            }
            pool.next += buffer.count
        }
    }

    private static func refill(_ pool: inout Pool) -> Bool {
        #if os(Linux)
            if pool.device == -2 { pool.device = open("/dev/urandom", O_RDONLY | O_CLOEXEC) }
            guard pool.device >= 0 else { return false }
            let device = pool.device
            let filled = pool.bytes.withUnsafeMutableBytes { buffer -> Bool in
                var offset = 0
                while offset < buffer.count {
                    let count = read(device, buffer.baseAddress! + offset, buffer.count - offset)
                    if count > 0 {
                        offset += count
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        return false
                    }
                }
                return true
            }
            guard filled else { return false }
        #else
            pool.bytes.withUnsafeMutableBytes { fillFromSystem($0) }
        #endif
        pool.next = 0
        return true
    }

    private static func fillFromSystem(_ buffer: UnsafeMutableRawBufferPointer) {
        var generator = SystemRandomNumberGenerator()
        var offset = 0
        while offset < buffer.count {
            var word = generator.next()
            let count = min(8, buffer.count - offset)
            withUnsafeBytes(of: &word) {
                buffer.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: count)
            }
            offset += count
        }
    }
}
