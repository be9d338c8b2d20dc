/// xoshiro256** seeded through SplitMix64: the demo's only source of randomness. Its own
/// bounded-integer and double conversions keep output identical across Swift versions.
struct DemoRandom {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// An independent stream per `stream` label, all derived from `seed`.
    init(seed: UInt64, stream: UInt64) {
        var sm = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        let result = DemoRandom.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = DemoRandom.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in the range (modulo bias is irrelevant for a demo).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % span)
    }

    /// Uniform in [lo, hi), rounded to `places` decimals.
    mutating func decimal(_ lo: Double, _ hi: Double, places: Int = 3) -> Double {
        DemoRandom.round(lo + (hi - lo) * unit(), places: places)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// One element of a non-empty array.
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// `count` lowercase hex digits.
    mutating func hex(_ count: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var bits: UInt64 = 0
        var left = 0
        for _ in 0..<count {
            if left == 0 { bits = next(); left = 16 }
            out.append(DemoTime.hexDigits[Int(bits & 0xF)])
            bits >>= 4
            left -= 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Rounds to `places` decimals so that JSON prints a short number.
    static func round(_ x: Double, places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (x * scale).rounded() / scale
    }
}

/// Demo time: milliseconds since 1970 (UTC), written as RFC 3339 with milliseconds and an offset.
/// People's events carry Europe/Berlin local time (`+01:00` or `+02:00`), services' events `Z`.
enum DemoTime {
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    static let msPerMinute: Int64 = 60_000
    static let msPerHour: Int64 = 3_600_000
    static let msPerDay: Int64 = 86_400_000
    /// 2026-01-05T00:00:00Z, a Monday: the story's day 0.
    static let base: Int64 = Int64(Timestamp.daysFromCivil(year: 2026, month: 1, day: 5)) * msPerDay
    /// Length of the story in days; the last events fall just before `base + storyDays`.
    static let storyDays: Int64 = 180
    static let end: Int64 = base + storyDays * msPerDay
    /// Central European Summer Time in 2026: 29 March 01:00Z to 25 October 01:00Z.
    static let summerStart: Int64 = Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 29)) * msPerDay + msPerHour
    static let summerEnd: Int64 = Int64(Timestamp.daysFromCivil(year: 2026, month: 10, day: 25)) * msPerDay + msPerHour

    /// The instant `day` days and `hour` hours after the base date (UTC).
    static func at(day: Int, hour: Int = 0, minute: Int = 0) -> Int64 {
        base + Int64(day) * msPerDay + Int64(hour) * msPerHour + Int64(minute) * msPerMinute
    }

    /// Minutes east of UTC of Europe/Berlin at that instant.
    static func berlinOffset(_ ms: Int64) -> Int { ms >= summerStart && ms < summerEnd ? 120 : 60 }

    /// Appends `YYYY-MM-DDTHH:MM:SS.mmm` and `Z` or `+hh:mm`.
    static func write(_ ms: Int64, offsetMinutes: Int, to out: inout [UInt8]) {
        let local = ms + Int64(offsetMinutes) * msPerMinute
        let millis = Int(((local % 1000) + 1000) % 1000)
        let c = Timestamp(seconds: (local - Int64(millis)) / 1000).components
        func digits(_ v: Int, _ width: Int) {
            var d = 1
            for _ in 1..<width { d *= 10 }
            var v = v
            while d > 0 {
                out.append(UInt8(ascii: "0") + UInt8(v / d % 10))
                v %= d * 10
                d /= 10
            }
        }
        digits(c.year, 4); out.append(0x2D); digits(c.month, 2); out.append(0x2D); digits(c.day, 2)
        out.append(UInt8(ascii: "T"))
        digits(c.hour, 2); out.append(0x3A); digits(c.minute, 2); out.append(0x3A); digits(c.second, 2)
        out.append(0x2E); digits(millis, 3)
        if offsetMinutes == 0 {
            out.append(UInt8(ascii: "Z"))
        } else {
            out.append(offsetMinutes > 0 ? 0x2B : 0x2D)
            digits(abs(offsetMinutes) / 60, 2); out.append(0x3A); digits(abs(offsetMinutes) % 60, 2)
        }
    }

    /// RFC 3339 text of an instant with the given offset.
    static func text(_ ms: Int64, offsetMinutes: Int = 0) -> String {
        var out: [UInt8] = []
        write(ms, offsetMinutes: offsetMinutes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DD` of an instant in UTC.
    static func date(_ ms: Int64) -> String { String(text(ms).prefix(10)) }

    /// The UTC month (`YYYY-MM`) of an instant and the first instant of the next month.
    static func month(_ ms: Int64) -> (key: String, next: Int64) {
        let c = Timestamp(seconds: ms / 1000).components
        let (ny, nm) = c.month == 12 ? (c.year + 1, 1) : (c.year, c.month + 1)
        let next = Int64(Timestamp.daysFromCivil(year: ny, month: nm, day: 1)) * msPerDay
        return (String(text(ms).prefix(7)), next)
    }

    /// A UUIDv7 (RFC 9562) of the instant: 48-bit milliseconds, then random bits. Events have
    /// strictly increasing milliseconds, so their ids are unique by construction.
    static func uuid7(_ ms: Int64, _ rng: inout DemoRandom) -> String {
        var out: [UInt8] = []
        writeUUID7(ms, &rng, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the 36 characters of a UUIDv7.
    static func writeUUID7(_ ms: Int64, _ rng: inout DemoRandom, to out: inout [UInt8]) {
        let r = rng.next()
        let hi = (UInt64(ms) << 16) | 0x7000 | (r & 0x0FFF)
        let lo = (rng.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        for i in 0..<16 {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(0x2D) }
            let byte = i < 8 ? UInt8(truncatingIfNeeded: hi >> (56 - 8 * UInt64(i))) : UInt8(truncatingIfNeeded: lo >> (56 - 8 * UInt64(i - 8)))
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0xF)])
        }
    }
}
