/// How a reduction combines elements.
public enum ReductionFunction: Hashable, Sendable {
  case sum, max

  var identity: Float { self == .sum ? 0 : -.infinity }
}

/// Reductions over any set of axes of a contiguous tensor.
///
/// Every walk combines each output's elements in one order, whichever walk
/// is chosen: a sum adds each contiguous run of reduced elements in
/// ``BlockedSum``'s order, and runs (and every `max`) in increasing input
/// order. A split across cores divides the outputs, never one output's
/// elements, so the result does not depend on it.
enum Reduction {
  /// How a reduction walks its input, worked out once per shape and axes.
  struct Plan: Hashable, Sendable {
    enum Walk: Hashable, Sendable {
      /// No input elements: every output is the identity.
      case empty
      /// Nothing reduced: a copy.
      case copy
      /// Each output is one contiguous run of `length` inputs (trailing axes reduced).
      case rows(length: Int)
      /// Output `c` reduces `x[r * columns + c]` over `rows` (leading axes reduced).
      case columns(rows: Int)
      /// Any other axes: walk the input (its shape with neighbouring axes
      /// merged, see ``Reduction/merged(_:axes:)``), accumulating through
      /// strides that are 0 along reduced axes.
      case strided(StridedRows.Layout)
    }

    /// The number of outputs.
    let outputCount: Int
    /// The walk.
    let walk: Walk

    /// The plan for reducing `shape` over `axes` (sorted, distinct, in range).
    init(_ shape: Shape, axes: [Int]) {
      let kept = Shape(shape.dims.enumerated().map { axes.contains($0.offset) ? 1 : $0.element })
      outputCount = kept.count
      // Only axes longer than 1 decide the walk.
      let reducedInOrder = shape.dims.indices.filter { shape[$0] > 1 }.map { axes.contains($0) }
      if shape.count == 0 {
        walk = .empty
      } else if !reducedInOrder.contains(true) {
        walk = .copy
      } else if !reducedInOrder.drop(while: { !$0 }).contains(false) {
        walk = .rows(length: shape.count / outputCount)
      } else if !reducedInOrder.drop(while: { $0 }).contains(true) {
        walk = .columns(rows: shape.count / outputCount)
      } else {
        let (dims, outputStrides) = Reduction.merged(shape, axes: axes)
        walk = .strided(StridedRows.Layout(shape: Shape(dims), strides: [outputStrides]))
      }
    }
  }

  /// Reduces `x` (shape `shape`) over `axes` (sorted, distinct, in range)
  /// into `out`, laid out as the shape with those axes set to 1.
  static func reduce(
    _ f: ReductionFunction, _ x: UnsafePointer<Float>, _ shape: Shape, axes: [Int], _ out: UnsafeMutablePointer<Float>
  ) {
    reduce(f, x, out, Plan(shape, axes: axes))
  }

  /// Reduces `x` into `out` as `plan` says.
  static func reduce(
    _ f: ReductionFunction, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ plan: Plan
  ) {
    let outputCount = plan.outputCount
    switch plan.walk {
    case .empty:
      out.update(repeating: f.identity, count: outputCount)
    case .copy:
      out.update(from: x, count: outputCount)
    case .rows(let length):
      typealias Context = (ReductionFunction, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int)
      let minimumChunk = max(1, Elementwise.parallelChunk / length)
      Parallel.forRange(outputCount, minimumChunk: minimumChunk, context: (f, x, out, length)) { context, start, end in
        let (f, x, out, length) = context.load(as: Context.self)
        Reduction.reduceRows(f, x, out, length: length, start..<end)
      }
    case .columns(let rows):
      typealias Context = (ReductionFunction, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int)
      let minimumChunk = max(1, Elementwise.parallelChunk / rows)
      Parallel.forRange(outputCount, minimumChunk: minimumChunk, context: (f, x, out, rows, outputCount)) {
        context, start, end in
        let (f, x, out, rows, columns) = context.load(as: Context.self)
        Reduction.reduceColumns(f, x, out, rows: rows, columns: columns, start..<end)
      }
    case .strided(let layout):
      out.update(repeating: f.identity, count: outputCount)
      let step = layout.rowSteps[0]
      var i = 0
      StridedRows.forEach(layout) { offsets, length in
        let o = out + offsets[0]
        let p = x + i
        switch (f, step) {
        case (.sum, 0): o[0] = BlockedSum.run(p, length, onto: o[0])
        case (.sum, _): for j in 0..<length { o[j * step] += p[j] }
        case (.max, _): for j in 0..<length where p[j] > o[j * step] || p[j].isNaN { o[j * step] = p[j] }
        }
        i += length
      }
    }
  }

  /// Outputs `range` of a `.rows` walk: output `r` reduces `x[r * length ..< (r + 1) * length]`.
  static func reduceRows(
    _ f: ReductionFunction, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, length: Int,
    _ range: Range<Int>
  ) {
    for r in range {
      let p = x + r * length
      var acc = f.identity
      switch f {
      case .sum: acc = BlockedSum.run(p, length, onto: acc)
      case .max: for i in 0..<length where p[i] > acc || p[i].isNaN { acc = p[i] }
      }
      out[r] = acc
    }
  }

  /// `shape` as reductions walk it: axes of size 1 dropped, and neighbours
  /// both reduced or both kept merged into one (an all-ones shape becomes
  /// one reduced axis of 1); with each merged axis's stride into the output
  /// (0 for reduced axes). The row-major order of the elements, and each
  /// element's output, stay the same.
  static func merged(_ shape: Shape, axes: [Int]) -> (dims: [Int], outputStrides: [Int]) {
    var dims: [Int] = []
    var reduced: [Bool] = []
    for (axis, size) in shape.dims.enumerated() where size != 1 {
      let isReduced = axes.contains(axis)
      if reduced.last == isReduced {
        dims[dims.count - 1] *= size
      } else {
        dims.append(size)
        reduced.append(isReduced)
      }
    }
    if dims.isEmpty { (dims, reduced) = ([1], [true]) }
    var outputStrides = [Int](repeating: 0, count: dims.count)
    var step = 1
    for axis in stride(from: dims.count - 1, through: 0, by: -1) where !reduced[axis] {
      outputStrides[axis] = step
      step *= dims[axis]
    }
    return (dims, outputStrides)
  }

  /// Outputs `range` of a `.columns` walk: output `c` reduces `x[r * columns + c]` over `r`.
  static func reduceColumns(
    _ f: ReductionFunction, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
    _ range: Range<Int>
  ) {
    let o = out + range.lowerBound
    o.update(repeating: f.identity, count: range.count)
    for r in 0..<rows {
      let p = x + r * columns + range.lowerBound
      switch f {
      case .sum: for c in 0..<range.count { o[c] += p[c] }
      case .max: for c in 0..<range.count where p[c] > o[c] || p[c].isNaN { o[c] = p[c] }
      }
    }
  }
}
