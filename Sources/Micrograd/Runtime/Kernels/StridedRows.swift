/// Iteration over an n-d index space one innermost row at a time.
///
/// Every kernel that reads broadcast or permuted inputs walks its output this
/// way: the outer dimensions by an index counter, the last dimension as a
/// row handed to a tight loop with one stride per operand.
enum StridedRows {
  /// Calls `row(offsets, length)` for each innermost row of `shape`, where
  /// `offsets[k]` is operand k's element offset for the row start, computed
  /// from `strides[k]` (one stride per dimension of `shape`).
  ///
  /// A 0-d shape is one row of length 1.
  @inline(__always)
  static func forEach(
    shape: Shape, strides: [[Int]], base: [Int] = [], _ row: (_ offsets: UnsafeMutableBufferPointer<Int>, _ length: Int) -> Void
  ) {
    let operands = strides.count
    withUnsafeTemporaryAllocation(of: Int.self, capacity: operands) { offsets in
      for k in 0..<operands { offsets[k] = base.isEmpty ? 0 : base[k] }
      let rank = shape.rank
      guard rank > 0 else {
        row(offsets, 1)
        return
      }
      let length = shape.dims[rank - 1]
      if shape.count == 0 { return }
      let outerRank = rank - 1
      var index = [Int](repeating: 0, count: outerRank)
      let starts = Array(offsets)
      while true {
        row(offsets, length)
        // Advance the outer counter (last outer dimension fastest).
        var axis = outerRank - 1
        while axis >= 0 {
          index[axis] += 1
          if index[axis] < shape.dims[axis] { break }
          index[axis] = 0
          axis -= 1
        }
        if axis < 0 { return }
        for k in 0..<operands {
          var offset = starts[k]
          for a in 0..<outerRank { offset += index[a] * strides[k][a] }
          offsets[k] = offset
        }
      }
    }
  }
}
