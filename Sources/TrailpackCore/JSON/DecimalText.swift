/// The value of a JSON number's text, to tell whether two texts are the same number.
enum DecimalText {
    /// Whether `a` and `b` (JSON numbers) denote the same real number (`-0` and `0` alike).
    static func sameValue(_ a: String, _ b: String) -> Bool {
        guard let x = normalized(a), let y = normalized(b) else { return false }
        return x.negative == y.negative && x.digits == y.digits && x.exponent == y.exponent
    }

    /// Sign, significant digits (no leading or trailing zero) and the exponent of the last
    /// digit; zero is (false, [], 0). Exponents are clamped far beyond any double's.
    static func normalized(_ text: String) -> (negative: Bool, digits: [UInt8], exponent: Int)? {
        var u = Array(text.utf8)[...]
        var negative = false
        if u.first == UInt8(ascii: "-") {
            negative = true
            u = u.dropFirst()
        }
        var digits: [UInt8] = []
        var fraction = 0
        var seenPoint = false
        while let b = u.first, (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") {
            if b == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else {
                digits.append(b)
                if seenPoint { fraction += 1 }
            }
            u = u.dropFirst()
        }
        var exponent = 0
        if let e = u.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            u = u.dropFirst()
            var sign = 1
            if u.first == UInt8(ascii: "+") { u = u.dropFirst() } else if u.first == UInt8(ascii: "-") { sign = -1; u = u.dropFirst() }
            guard !u.isEmpty else { return nil }
            for b in u {
                guard b >= 0x30 && b <= 0x39 else { return nil }
                exponent = min(exponent * 10 + Int(b - 0x30), 1_000_000_000)
            }
            exponent *= sign
        } else if !u.isEmpty {
            return nil
        }
        guard !digits.isEmpty else { return nil }
        let first = digits.firstIndex { $0 != 0x30 }
        guard let first else { return (false, [], 0) }
        var last = digits.count - 1
        var trailing = 0
        while digits[last] == 0x30 {
            last -= 1
            trailing += 1
        }
        return (negative, Array(digits[first...last]), exponent - fraction + trailing)
    }
}
