/// A longest common subsequence of two token arrays, chosen by one stated rule, so another
/// implementation that follows the rule keeps exactly the same tokens (Protocol/SPEC.md §4.12.1).
///
///     TokenDiff.kept(from: ["a", "b", "c"], to: ["b", "c", "a"])
///     // [(old: 1, new: 0), (old: 2, new: 1)]: "b c" kept, "a" deleted and inserted again
///
/// The rule is the greedy forward algorithm of Myers (1986, "An O(ND) difference algorithm and
/// its variations", §2) with its tie-breaking stated. Think of a grid: x counts old tokens
/// consumed, y new ones; diagonal k is the line x − y = k. A step *right* deletes old token x, a
/// step *down* inserts new token y, a *snake* follows equal tokens diagonally as far as they go.
/// For d = 0, 1, 2, … and, within d, for k = −d, −d+2, …, d, the furthest point on diagonal k
/// reachable with d deletions and insertions is
///
///     if k == −d or (k != d and V[k−1] < V[k+1]):  x = V[k+1]        // down, from diagonal k+1
///     else:                                          x = V[k−1] + 1    // right, from diagonal k−1
///     y = x − k; while x < N and y < M and old[x] == new[y]: x += 1; y += 1
///     V[k] = x
///
/// (V[1] = 0 before d = 0.) In words: diagonal k continues whichever neighbour's path ends
/// further along it; when both would reach the same point, the insertion (from k+1). The first
/// d at which diagonal N − M reaches x = N is the edit's size D, and the alignment is the path
/// that got there, traced back through the choices made: its snakes are the kept pairs. D is
/// minimal, so the kept pairs are a longest common subsequence.
///
/// Cost: time O((N + M) · D); memory: the furthest points of every step, (D + 1)(D + 2) / 2
/// 32-bit integers, kept for the trace back. A small edit of a long text is fast and small; the
/// worst case, D = N + M = 4,000 (`Reanchoring.largestDiff`), holds about 8 million integers
/// (32 MB). Callers bound N + M.
public enum TokenDiff {
    /// The pairs (old index, new index) the diff keeps, in increasing order of both.
    public static func kept<Token: Equatable>(from old: [Token], to new: [Token]) -> [(old: Int, new: Int)] {
        let (n, m) = (old.count, new.count)
        guard n > 0, m > 0 else { return [] }
        // Step d's furthest points are trace[d(d + 1) / 2 ..< (d + 1)(d + 2) / 2], diagonal k at
        // (k + d) / 2; so step d − 1's diagonals k − 1 and k + 1 are at base + i − 1 and base + i.
        var snake = 0  // step 0: from (0, 0) along diagonal 0
        while snake < n, snake < m, old[snake] == new[snake] { snake += 1 }
        var trace: [Int32] = [Int32(snake)]
        var size = 0
        if snake < n || n != m {
            search: for d in 1...(n + m) {
                let base = (d - 1) * d / 2
                for i in 0...d {
                    let k = 2 * i - d
                    var x: Int
                    if i == 0 || (i != d && trace[base + i - 1] < trace[base + i]) {
                        x = Int(trace[base + i])  // down from k + 1: new[x - k - 1] inserted
                    } else {
                        x = Int(trace[base + i - 1]) + 1  // right from k − 1: old[x - 1] deleted
                    }
                    var y = x - k
                    while x < n, y < m, old[x] == new[y] {
                        x += 1
                        y += 1
                    }
                    trace.append(Int32(x))
                    if k == n - m, x >= n {
                        size = d
                        break search
                    }
                }
            }
        }
        // Trace back from (N, M): each step's diagonal came from the neighbour its choice names;
        // the snake between that neighbour's point (moved once) and this point is kept.
        var pairs: [(old: Int, new: Int)] = []
        var (x, k) = (n, n - m)
        for d in stride(from: size, through: 1, by: -1) {
            let base = (d - 1) * d / 2
            let i = (k + d) / 2
            let (previous, start): (Int, Int)
            if i == 0 || (i != d && trace[base + i - 1] < trace[base + i]) {
                (previous, start) = (k + 1, Int(trace[base + i]))
            } else {
                (previous, start) = (k - 1, Int(trace[base + i - 1]) + 1)
            }
            for kept in stride(from: x - 1, through: start, by: -1) { pairs.append((old: kept, new: kept - k)) }
            x = start - (previous == k - 1 ? 1 : 0)
            k = previous
        }
        for kept in stride(from: x - 1, through: 0, by: -1) { pairs.append((old: kept, new: kept)) }
        return pairs.reversed()
    }
}
