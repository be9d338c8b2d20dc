/// An RFC 3339 instant, kept as UTC seconds and nanoseconds since 1970 plus the text it came from.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    /// Seconds between two instants (self - other).
    public func interval(since other: Timestamp) -> Double {
        (Double(seconds) - Double(other.seconds)) + (Double(nanoseconds) - Double(other.nanoseconds)) / 1e9
    }

    /// This instant moved by `s` seconds; saturates at the ends of `Int64` instead of trapping
    /// (policy numbers are range-checked, so real packs never get near them).
    public func adding(seconds s: Int64) -> Timestamp {
        let (sum, overflow) = seconds.addingReportingOverflow(s)
        return Timestamp(seconds: overflow ? (s > 0 ? .max : .min) : sum, nanoseconds: nanoseconds)
    }

    /// `days` whole days as seconds, saturating instead of trapping.
    public static func seconds(days: Int64) -> Int64 {
        let (product, overflow) = days.multipliedReportingOverflow(by: 86400)
        return overflow ? (days > 0 ? .max : .min) : product
    }

    /// The outcome of reading a time string.
    public enum ParseResult: Sendable, Equatable {
        case valid(Timestamp)
        /// Date and time are well formed but there is no `Z` or `+hh:mm` offset.
        case missingOffset
        case invalid
    }

    /// Parses RFC 3339 (`2026-02-03T10:15:00Z`, `...00.123+01:00`).
    public static func parse(_ text: String) -> ParseResult {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard b.count >= 19, let year = num(0, 4), b[4] == 0x2D, let month = num(5, 2), b[7] == 0x2D,
              let day = num(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == 0x20,
              let hour = num(11, 2), b[13] == 0x3A, let minute = num(14, 2), b[16] == 0x3A, let second = num(17, 2)
        else { return .invalid }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second <= 60
        else { return .invalid }
        var i = 19
        var nanos = 0
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if digits < 9 { nanos = nanos * 10 + Int(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            if digits == 0 { return .invalid }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offset = 0
        if i == b.count { return .missingOffset }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A, let om = num(i + 4, 2), oh < 24, om < 60 else {
                return .invalid
            }
            offset = (oh * 60 + om) * 60 * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return .invalid
        }
        guard i == b.count else { return .invalid }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offset)
        return .valid(Timestamp(seconds: secs, nanoseconds: Int32(nanos)))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The civil UTC date and time of this instant.
    public var components: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = Int((seconds >= 0 ? seconds : seconds - 86399) / 86400)
        let rem = Int(seconds - Int64(days) * 86400)
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC, fractional seconds dropped when zero).
    public var description: String {
        let c = components
        if (0...9999).contains(c.year) && (0..<1_000_000_000).contains(nanoseconds) {
            // Digits straight into bytes (this is written for every event recorded or imported).
            var b = [UInt8](repeating: 0, count: 30)
            func put(_ v: Int, _ width: Int, at i: Int) {
                var v = v
                for k in stride(from: i + width - 1, through: i, by: -1) {
                    b[k] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
            }
            put(c.year, 4, at: 0)
            b[4] = UInt8(ascii: "-")
            put(c.month, 2, at: 5)
            b[7] = UInt8(ascii: "-")
            put(c.day, 2, at: 8)
            b[10] = UInt8(ascii: "T")
            put(c.hour, 2, at: 11)
            b[13] = UInt8(ascii: ":")
            put(c.minute, 2, at: 14)
            b[16] = UInt8(ascii: ":")
            put(c.second, 2, at: 17)
            var n = 19
            if nanoseconds != 0 {
                b[19] = UInt8(ascii: ".")
                put(Int(nanoseconds), 9, at: 20)
                n = 29
                while b[n - 1] == UInt8(ascii: "0") { n -= 1 }
            }
            b[n] = UInt8(ascii: "Z")
            return String(decoding: b[0...n], as: UTF8.self)
        }
        return paddedDescription
    }

    /// ``description`` through string padding, for any year (the fuzz harness `timestamp` holds
    /// the two to the same text).
    var paddedDescription: String {
        let c = components
        var s = "\(Timestamp.pad(c.year, 4))-\(Timestamp.pad(c.month, 2))-\(Timestamp.pad(c.day, 2))T"
            + "\(Timestamp.pad(c.hour, 2)):\(Timestamp.pad(c.minute, 2)):\(Timestamp.pad(c.second, 2))"
        if nanoseconds != 0 {
            var f = Timestamp.pad(Int(nanoseconds), 9)
            while f.hasSuffix("0") { f.removeLast() }
            s += "." + f
        }
        return s + "Z"
    }

    /// `YYYY-MM` of the instant in UTC, for grouping by month.
    public var monthKey: String {
        let c = components
        return "\(Timestamp.pad(c.year, 4))-\(Timestamp.pad(c.month, 2))"
    }

    /// `YYYY-MM-DD HH:MM:SS` in UTC, no fraction and no zone: the base of the display forms.
    var secondsText: String {
        let c = components
        return "\(Timestamp.pad(c.year, 4))-\(Timestamp.pad(c.month, 2))-\(Timestamp.pad(c.day, 2)) "
            + "\(Timestamp.pad(c.hour, 2)):\(Timestamp.pad(c.minute, 2)):\(Timestamp.pad(c.second, 2))"
    }

    /// `YYYY-MM-DD HH:MM:SS UTC` (no fraction), for display where seconds matter.
    public var displaySeconds: String { secondsText + " UTC" }

    /// `YYYY-MM-DD HH:MM UTC`, for display.
    public var display: String {
        let c = components
        return "\(Timestamp.pad(c.year, 4))-\(Timestamp.pad(c.month, 2))-\(Timestamp.pad(c.day, 2)) "
            + "\(Timestamp.pad(c.hour, 2)):\(Timestamp.pad(c.minute, 2)) UTC"
    }
}
