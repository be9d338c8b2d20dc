extension Array {
    /// The first index whose element does not satisfy `isBefore` (`count` when all do), by
    /// binary search; the array must hold every element that satisfies it before every other.
    func partitionIndex(_ isBefore: (Element) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if isBefore(self[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

extension Array where Element: Comparable {
    /// The first index whose element is not less than `x` (`count` when there is none), by binary
    /// search; the array must be in ascending order.
    func lowerBound(of x: Element) -> Int { partitionIndex { $0 < x } }

    /// Whether the ascending array holds `x` (``lowerBound(of:)``).
    func sortedContains(_ x: Element) -> Bool {
        let i = lowerBound(of: x)
        return i < count && self[i] == x
    }
}
