import Foundation

/// The canonical writing of ``JSONReader/parseWritingCanonical(_:)``: tokens copied while each is
/// its own canonical form, object members reordered by key in place.
extension Parser {
    /// Copies input bytes to the canonical output (unless declined).
    @inline(__always)
    mutating func copyOut(_ r: Range<Int>) {
        guard !declined else { return }
        writer?.bytes(UnsafeBufferPointer(rebasing: buf[r]))
    }

    @inline(__always)
    mutating func byteOut(_ b: UInt8) {
        guard !declined else { return }
        writer?.byte(b)
    }

    mutating func decline() { declined = true }

    /// An integer of at most 15 digits (below 2^53), not `-0` (the reader refuses leading zeros):
    /// its own canonical form.
    func plainInteger(_ r: Range<Int>) -> Bool {
        var i = r.lowerBound
        if buf[i] == UInt8(ascii: "-") { i += 1 }
        let digits = r.upperBound - i
        guard digits > 0 && digits <= 15 else { return false }
        for j in i..<r.upperBound where buf[j] < UInt8(ascii: "0") || buf[j] > UInt8(ascii: "9") { return false }
        return !(i > r.lowerBound && digits == 1 && buf[i] == UInt8(ascii: "0"))
    }

    /// RFC 8785 order of two keys written without escapes (`JSONString.utf16Precedes` of the keys
    /// read): on the tokens' bytes while they differ in ASCII.
    static func keyPrecedes(_ buf: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        let x = a.lowerBound + 1, xn = a.count - 2
        let y = b.lowerBound + 1, yn = b.count - 2
        var i = 0
        while i < xn && i < yn && buf[x + i] == buf[y + i] { i += 1 }
        if i == xn || i == yn { return xn < yn }
        if buf[x + i] < 0x80 && buf[y + i] < 0x80 { return buf[x + i] < buf[y + i] }
        return JSONString.utf16Precedes(JSONString(validatedUTF8: UnsafeBufferPointer(rebasing: buf[x..<(x + xn)])),
                                        JSONString(validatedUTF8: UnsafeBufferPointer(rebasing: buf[y..<(y + yn)])))
    }

    /// The members written since `first` (of one object, from output offset `body`) put in key order.
    mutating func reorder(from first: Int, body: Int) {
        guard !declined, var w = writer else { return }
        var order: [Int] = []
        swap(&order, &self.order)
        defer {
            writer = w
            swap(&order, &self.order)
        }
        w.cut(from: body, into: &scratch)
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: first..<written.count)
        let all = written, b = buf
        if order.count <= 16 {
            // Insertion sort: objects are small.
            for i in 1..<order.count {
                let k = order[i]
                var j = i
                while j > 0 && Parser.keyPrecedes(b, all[k].key, all[order[j - 1]].key) {
                    order[j] = order[j - 1]
                    j -= 1
                }
                order[j] = k
            }
        } else {
            order.sort { Parser.keyPrecedes(b, all[$0].key, all[$1].key) }
        }
        scratch.withUnsafeBufferPointer { s in
            for (n, i) in order.enumerated() {
                if n > 0 { w.byte(UInt8(ascii: ",")) }
                let r = all[i].out
                w.bytes(UnsafeBufferPointer(rebasing: s[(r.lowerBound - body)..<(r.upperBound - body)]))
            }
        }
    }

}
