/// Iteration over an n-d index space one innermost row at a time.
///
/// Every kernel that reads broadcast or permuted inputs walks its output this
/// way: the outer dimensions by an index counter, the last dimension as a
/// row handed to a tight loop with one stride per operand.
enum StridedRows {
  /// A walk worked out once: the shape, and for each operand a stride per
  /// dimension and a start offset. The interpreter keeps one per instruction
  /// so a run computes no strides and allocates nothing.
  struct Layout: Hashable, Sendable {
    /// The index space walked (the output's shape).
    let shape: Shape
    /// Per operand, its stride along each dimension of `shape` (0 where broadcast).
    let strides: [[Int]]
    /// Per operand, the element offset of index (0, …, 0).
    let base: [Int]
    /// Per operand, its stride along the last dimension (the row step).
    let rowSteps: [Int]

    /// A walk of `shape` reading operands through `strides`, from `base`
    /// (zeros when empty).
    init(shape: Shape, strides: [[Int]], base: [Int] = []) {
      self.shape = shape
      self.strides = strides
      self.base = base.isEmpty ? [Int](repeating: 0, count: strides.count) : base
      rowSteps = strides.map { shape.rank > 0 ? $0[shape.rank - 1] : 0 }
    }
  }

  /// Calls `row(offsets, length)` for each innermost row of `shape`, where
  /// `offsets[k]` is operand k's element offset for the row start, computed
  /// from `strides[k]` (one stride per dimension of `shape`).
  ///
  /// A 0-d shape is one row of length 1.
  @inline(__always)
  static func forEach(
    shape: Shape, strides: [[Int]], base: [Int] = [],
    _ row: (_ offsets: UnsafeMutableBufferPointer<Int>, _ length: Int) -> Void
  ) {
    forEach(Layout(shape: shape, strides: strides, base: base), row)
  }

  /// Calls `row(offsets, length)` for each innermost row of `layout`'s shape.
  /// Allocates nothing: the counters live on the stack.
  @inline(__always)
  static func forEach(_ layout: Layout, _ row: (_ offsets: UnsafeMutableBufferPointer<Int>, _ length: Int) -> Void) {
    let shape = layout.shape
    let operands = layout.strides.count
    let rank = shape.rank
    let outerRank = max(rank - 1, 0)
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * operands + outerRank) { scratch in
      let offsets = UnsafeMutableBufferPointer(rebasing: scratch[0..<operands])
      let starts = scratch.baseAddress! + operands
      let index = starts + operands
      for k in 0..<operands {
        offsets[k] = layout.base[k]
        starts[k] = layout.base[k]
      }
      guard rank > 0 else {
        row(offsets, 1)
        return
      }
      let length = shape.dims[rank - 1]
      if shape.count == 0 { return }
      index.update(repeating: 0, count: outerRank)
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
          let strides = layout.strides[k]
          for a in 0..<outerRank { offset += index[a] * strides[a] }
          offsets[k] = offset
        }
      }
    }
  }
}
