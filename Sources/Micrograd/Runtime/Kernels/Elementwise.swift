import Foundation

/// A one-input elementwise function, shared by eager ops and the interpreter.
public enum UnaryFunction: Hashable, Sendable {
  case negate, exp, log, tanh, sigmoid, relu
  /// `x` raised to a constant exponent.
  case power(Float)

  /// The function at one point (the reference the vector loops follow).
  @inline(__always)
  func callAsFunction(_ x: Float) -> Float {
    switch self {
    case .negate: -x
    case .exp: FastMath.exp(x)
    case .log: FastMath.log(x)
    case .tanh: FastMath.tanh(x)
    case .sigmoid: FastMath.sigmoid(x)
    case .relu: x > 0 ? x : 0
    case .power(let p): p == 2 ? x * x : (p == 1 ? x : Foundation.pow(x, p))
    }
  }
}

/// A two-input elementwise function; comparisons give 1 or 0.
public enum BinaryFunction: Hashable, Sendable {
  case add, subtract, multiply, divide, maximum, minimum
  case greater, greaterEqual, less, lessEqual, equal, notEqual

  @inline(__always)
  func callAsFunction(_ a: Float, _ b: Float) -> Float {
    switch self {
    case .add: a + b
    case .subtract: a - b
    case .multiply: a * b
    case .divide: a / b
    case .maximum: a.isNaN || a > b ? a : b
    case .minimum: a.isNaN || a < b ? a : b
    case .greater: a > b ? 1 : 0
    case .greaterEqual: a >= b ? 1 : 0
    case .less: a < b ? 1 : 0
    case .lessEqual: a <= b ? 1 : 0
    case .equal: a == b ? 1 : 0
    case .notEqual: a != b ? 1 : 0
    }
  }
}

/// Elementwise kernels over raw float32 buffers.
///
/// Each broadcasting kernel has two entries: one taking shapes (eager ops,
/// which work the strides out on every call) and one taking a ``Layout``
/// worked out once (the interpreter). Both run the same loops. Large
/// contiguous work is split across cores by ``Parallel``.
enum Elementwise {
  /// Chunks of at least this many elements go to one thread.
  static let parallelChunk = Parallel.minimumElements / 2

  /// How the operands of a broadcasting kernel line up with its output.
  struct Layout: Hashable, Sendable {
    /// The walk over the output, one stride list per operand.
    let rows: StridedRows.Layout
    /// Per operand: its shape is the output's (read at the output's index).
    let sameShape: [Bool]
    /// Per operand: it holds a single element.
    let isScalar: [Bool]

    /// The layout of operands shaped `operandShapes` broadcast to `shape`.
    init(_ operandShapes: [Shape], to shape: Shape) {
      rows = StridedRows.Layout(shape: shape, strides: operandShapes.map { $0.broadcastStrides(to: shape) })
      sameShape = operandShapes.map { $0 == shape }
      isScalar = operandShapes.map { $0.count == 1 }
    }

    /// The number of output elements.
    var count: Int { rows.shape.count }
  }

  /// `y[i] = f(x[i])` for `count` contiguous elements (`y` may be `x`).
  static func unary(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    Parallel.forRange(count, minimumChunk: parallelChunk) { range in
      unaryChunk(f, x + range.lowerBound, y + range.lowerBound, count: range.count)
    }
  }

  /// ``unary(_:_:_:count:)`` on the calling thread.
  static func unaryChunk(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    switch f {
    case .negate: map(x, y, count) { -$0 }
    case .relu: map(x, y, count) { $0 > 0 ? $0 : 0 }
    case .exp: map(x, y, count) { FastMath.exp($0) }
    case .log: map(x, y, count) { FastMath.log($0) }
    case .tanh: map(x, y, count) { FastMath.tanh($0) }
    case .sigmoid: map(x, y, count) { FastMath.sigmoid($0) }
    case .power(let p):
      if p == 2 {
        map(x, y, count) { $0 * $0 }
      } else {
        map(x, y, count) { Foundation.pow($0, p) }
      }
    }
  }

  @inline(__always)
  private static func map(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int, _ f: (Float) -> Float
  ) {
    for i in 0..<count { y[i] = f(x[i]) }
  }

  /// `out = f(a, b)` with numpy broadcasting of `aShape` and `bShape` to `outShape`.
  static func binary(
    _ f: BinaryFunction, _ a: UnsafePointer<Float>, _ aShape: Shape, _ b: UnsafePointer<Float>, _ bShape: Shape,
    _ out: UnsafeMutablePointer<Float>, _ outShape: Shape
  ) {
    binary(f, a, b, out, Layout([aShape, bShape], to: outShape))
  }

  /// `out = f(a, b)` with the operands laid out by `layout` (`out` may be an
  /// operand of the output's shape).
  static func binary(
    _ f: BinaryFunction, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    _ layout: Layout
  ) {
    switch f {
    case .add: zip(a, b, out, layout) { $0 + $1 }
    case .subtract: zip(a, b, out, layout) { $0 - $1 }
    case .multiply: zip(a, b, out, layout) { $0 * $1 }
    case .divide: zip(a, b, out, layout) { $0 / $1 }
    default: zip(a, b, out, layout) { f($0, $1) }
    }
  }

  /// The broadcasting loop: same-shape and scalar cases run flat (split
  /// across cores when large); the rest row by row with a stride per operand
  /// (0 where broadcast).
  @inline(__always)
  private static func zip(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ layout: Layout,
    _ f: (Float, Float) -> Float
  ) {
    let n = layout.count
    if layout.sameShape[0] && layout.sameShape[1] {
      Parallel.forRange(n, minimumChunk: parallelChunk) { range in
        for i in range { out[i] = f(a[i], b[i]) }
      }
    } else if layout.sameShape[0] && layout.isScalar[1] {
      let s = b[0]
      Parallel.forRange(n, minimumChunk: parallelChunk) { range in
        for i in range { out[i] = f(a[i], s) }
      }
    } else if layout.sameShape[1] && layout.isScalar[0] {
      let s = a[0]
      Parallel.forRange(n, minimumChunk: parallelChunk) { range in
        for i in range { out[i] = f(s, b[i]) }
      }
    } else {
      let ia = layout.rows.rowSteps[0]
      let ib = layout.rows.rowSteps[1]
      var o = 0
      StridedRows.forEach(layout.rows) { offsets, length in
        let pa = a + offsets[0]
        let pb = b + offsets[1]
        let po = out + o
        for i in 0..<length { po[i] = f(pa[i * ia], pb[i * ib]) }
        o += length
      }
    }
  }

  /// `out = condition != 0 ? a : b`, all three broadcast to `outShape`.
  static func select(
    _ condition: UnsafePointer<Float>, _ cShape: Shape, _ a: UnsafePointer<Float>, _ aShape: Shape,
    _ b: UnsafePointer<Float>, _ bShape: Shape, _ out: UnsafeMutablePointer<Float>, _ outShape: Shape
  ) {
    select(condition, a, b, out, Layout([cShape, aShape, bShape], to: outShape))
  }

  /// `out = condition != 0 ? a : b` with the operands laid out by `layout`.
  static func select(
    _ condition: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>, _ layout: Layout
  ) {
    let step = layout.rows.rowSteps
    let (sc, sa, sb) = (step[0], step[1], step[2])
    var o = 0
    StridedRows.forEach(layout.rows) { offsets, length in
      let pc = condition + offsets[0]
      let pa = a + offsets[1]
      let pb = b + offsets[2]
      for i in 0..<length { out[o + i] = pc[i * sc] != 0 ? pa[i * sa] : pb[i * sb] }
      o += length
    }
  }

  /// Copies `source` read through `strides` (one per dimension of `shape`,
  /// starting at `offset`) into contiguous `out`: permute, expand and slice
  /// are all this gather.
  static func gather(
    _ source: UnsafePointer<Float>, offset: Int, strides: [Int], _ out: UnsafeMutablePointer<Float>, _ shape: Shape
  ) {
    gather(source, out, StridedRows.Layout(shape: shape, strides: [strides], base: [offset]))
  }

  /// The gather with its one-operand walk worked out once.
  static func gather(_ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ layout: StridedRows.Layout) {
    let inner = layout.rowSteps[0]
    var o = 0
    StridedRows.forEach(layout) { offsets, length in
      let p = source + offsets[0]
      if inner == 1 {
        (out + o).update(from: p, count: length)
      } else {
        for i in 0..<length { out[o + i] = p[i * inner] }
      }
      o += length
    }
  }
}
