/// Longest-prefix lookup over byte strings: walks the path once, remembering the deepest node
/// that carries a value. Children are kept in small arrays because policy prefixes fan out little.
///
/// ```swift
/// var trie = PrefixTrie<Int>()
/// trie.insert("secret/", 1); trie.insert("secret/data/", 2)
/// trie.longestPrefix(of: "secret/data/x")   // (key: "secret/data/", value: 2)
/// ```
struct PrefixTrie<Value: Sendable>: Sendable {
    private struct Node: Sendable {
        var edges: [UInt8] = []
        var children: [Int32] = []
        var entry: (key: String, value: Value)?
    }

    private var nodes: [Node] = [Node()]

    mutating func insert(_ key: String, _ value: Value) {
        var current = 0
        for byte in key.utf8 {
            if let slot = nodes[current].edges.firstIndex(of: byte) {
                current = Int(nodes[current].children[slot])
            } else {
                nodes.append(Node())
                let child = nodes.count - 1
                nodes[current].edges.append(byte)
                nodes[current].children.append(Int32(child))
                current = child
            }
        }
        nodes[current].entry = (key, value)
    }

    func longestPrefix(of path: String) -> (key: String, value: Value)? {
        var current = 0
        var best = nodes[0].entry
        for byte in path.utf8 {
            guard let slot = nodes[current].edges.firstIndex(of: byte) else { break }
            current = Int(nodes[current].children[slot])
            if let entry = nodes[current].entry { best = entry }
        }
        return best
    }
}
