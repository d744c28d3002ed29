import Foundation

/// IPv4/IPv6 CIDR blocks for `bound_cidrs` / `token_bound_cidrs`.
///
/// ```swift
/// CIDR.contains(["10.0.0.0/8", "127.0.0.1"], address: "127.0.0.1")  // true
/// CIDR.parse("300.1.1.1/8")                                         // nil
/// ```
public enum CIDR {
    public struct Block: Sendable, Equatable {
        public var bytes: [UInt8]
        public var prefixLength: Int
    }

    public static func parse(_ text: String) -> Block? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let bytes = parseAddress(String(parts[0])) else { return nil }
        let bits = bytes.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 0, value <= bits else { return nil }
            prefix = value
        }
        return Block(bytes: bytes, prefixLength: prefix)
    }

    public static func parseAddress(_ text: String) -> [UInt8]? {
        var text = text
        if text.hasPrefix("::ffff:"), text.contains(".") { text = String(text.dropFirst(7)) }
        if text.contains(":") { return parseIPv6(text) }
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, let value = UInt8(octet) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    public static func contains(_ block: Block, address: [UInt8]) -> Bool {
        guard block.bytes.count == address.count else { return false }
        var remaining = block.prefixLength
        for index in 0..<address.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if block.bytes[index] & mask != address[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public static func contains(_ blocks: [String], address: String) -> Bool {
        guard let parsed = parseAddress(address) else { return false }
        return blocks.contains { text in parse(text).map { contains($0, address: parsed) } ?? false }
    }
}
