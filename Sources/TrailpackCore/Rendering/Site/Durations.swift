/// Lengths of time as the site prints them: the two largest units, rounded down
/// (`45 min`, `3 h 20 min`, `12 d 4 h`).
enum Durations {
    /// The length of `seconds` (negative lengths get a leading minus sign).
    static func text(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        let sign = seconds < 0 ? "−" : ""
        let total = Int64(min(abs(seconds), 9e15))
        let days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60
        if days > 0 { return sign + "\(days) d \(hours) h" }
        if hours > 0 { return sign + "\(hours) h \(minutes) min" }
        if minutes > 0 { return sign + "\(minutes) min" }
        return sign + "\(total % 60) s"
    }
}
