import Foundation

/// A one-input elementwise function, shared by eager ops and the interpreter.
public enum UnaryFunction: Hashable, Sendable {
  case negate, exp, log, tanh, sigmoid, relu
  /// `x` raised to a constant exponent.
  case power(Float)

  /// The function at one point, equal to the vector loops of
  /// ``Elementwise/unaryChunk(_:_:_:count:)`` bit for bit (through the same
  /// C kernels when ``VectorMath`` is active).
  @inline(__always)
  func callAsFunction(_ x: Float) -> Float {
    if VectorMath.isActive && VectorMath.kernel(self) != nil { return VectorMath.apply(self, x) }
    return switch self {
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
    /// How a two-operand kernel can run as one flat loop, if it can.
    enum Flat: Hashable, Sendable {
      /// Both operands have the output's shape.
      case same
      /// The left has the output's shape, the right one element.
      case scalarRight
      /// The right has the output's shape, the left one element.
      case scalarLeft
    }

    /// The walk over the output, one stride list per operand.
    let rows: StridedRows.Layout
    /// The flat loop a two-operand kernel runs, or nil for the strided walk.
    let flat: Flat?

    /// The layout of operands shaped `operandShapes` broadcast to `shape`.
    init(_ operandShapes: [Shape], to shape: Shape) {
      rows = StridedRows.Layout(shape: shape, strides: operandShapes.map { $0.broadcastStrides(to: shape) })
      flat = operandShapes.count == 2 ? Layout.flat(operandShapes[0], operandShapes[1], shape) : nil
    }

    /// The flat loop for operands shaped `a` and `b` making `shape`, if any.
    static func flat(_ a: Shape, _ b: Shape, _ shape: Shape) -> Flat? {
      if a == shape && b == shape { return .same }
      if a == shape && b.count == 1 { return .scalarRight }
      if b == shape && a.count == 1 { return .scalarLeft }
      return nil
    }

    /// The number of output elements.
    var count: Int { rows.shape.count }
  }

  /// `y[i] = f(x[i])` for `count` contiguous elements (`y` may be `x`).
  static func unary(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    Parallel.forRange(count, minimumChunk: parallelChunk, context: (f, x, y)) { context, start, end in
      let (f, x, y) = context.load(as: (UnaryFunction, UnsafePointer<Float>, UnsafeMutablePointer<Float>).self)
      Elementwise.unaryChunk(f, x + start, y + start, count: end - start)
    }
  }

  /// ``unary(_:_:_:count:)`` on the calling thread: every vector unary
  /// function runs here (eager ops, fused kernels, logsumexp). `exp`, `log`,
  /// `tanh` and `sigmoid` run the C kernels with fused multiply-adds where the
  /// CPU has them (``VectorMath``), else the portable ``FastMath`` loops.
  static func unaryChunk(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    if VectorMath.isActive && VectorMath.apply(f, x, y, count: count) { return }
    portableUnaryChunk(f, x, y, count: count)
  }

  /// ``unaryChunk(_:_:_:count:)`` in Swift alone (``FastMath``), whatever the CPU has.
  static func portableUnaryChunk(
    _ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
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
    // Flat cases need no strides (fused kernels call this on every block).
    if let flat = Layout.flat(aShape, bShape, outShape) {
      binaryFlat(f, a, b, out, flat, count: outShape.count)
    } else {
      binary(f, a, b, out, Layout([aShape, bShape], to: outShape))
    }
  }

  /// `out = f(a, b)` with the operands laid out by `layout` (`out` may be an
  /// operand of the output's shape). Flat layouts split across cores when large.
  static func binary(
    _ f: BinaryFunction, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    _ layout: Layout
  ) {
    guard let flat = layout.flat else {
      switch f {
      case .add: strided(a, b, out, layout.rows) { $0 + $1 }
      case .subtract: strided(a, b, out, layout.rows) { $0 - $1 }
      case .multiply: strided(a, b, out, layout.rows) { $0 * $1 }
      case .divide: strided(a, b, out, layout.rows) { $0 / $1 }
      default: strided(a, b, out, layout.rows) { f($0, $1) }
      }
      return
    }
    binaryFlat(f, a, b, out, flat, count: layout.count)
  }

  /// A flat binary kernel over `count` elements, split across cores when large.
  static func binaryFlat(
    _ f: BinaryFunction, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    _ flat: Layout.Flat, count: Int
  ) {
    typealias Context = (
      BinaryFunction, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Layout.Flat
    )
    Parallel.forRange(count, minimumChunk: parallelChunk, context: (f, a, b, out, flat)) { context, start, end in
      let (f, a, b, out, flat) = context.load(as: Context.self)
      Elementwise.binaryChunk(f, a, b, out, flat, start..<end)
    }
  }

  /// Elements `range` of a flat binary kernel.
  static func binaryChunk(
    _ f: BinaryFunction, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    _ flat: Layout.Flat, _ range: Range<Int>
  ) {
    switch f {
    case .add: zip(a, b, out, flat, range) { $0 + $1 }
    case .subtract: zip(a, b, out, flat, range) { $0 - $1 }
    case .multiply: zip(a, b, out, flat, range) { $0 * $1 }
    case .divide: zip(a, b, out, flat, range) { $0 / $1 }
    default: zip(a, b, out, flat, range) { f($0, $1) }
    }
  }

  /// The flat loops: both operands read at the output's index, or one of
  /// them a scalar.
  @inline(__always)
  private static func zip(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ flat: Layout.Flat,
    _ range: Range<Int>, _ f: (Float, Float) -> Float
  ) {
    switch flat {
    case .same:
      for i in range { out[i] = f(a[i], b[i]) }
    case .scalarRight:
      let s = b[0]
      for i in range { out[i] = f(a[i], s) }
    case .scalarLeft:
      let s = a[0]
      for i in range { out[i] = f(s, b[i]) }
    }
  }

  /// The broadcasting loop: row by row with a stride per operand (0 where
  /// broadcast).
  @inline(__always)
  private static func strided(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    _ layout: StridedRows.Layout, _ f: (Float, Float) -> Float
  ) {
    let ia = layout.rowSteps[0]
    let ib = layout.rowSteps[1]
    var o = 0
    StridedRows.forEach(layout) { offsets, length in
      let pa = a + offsets[0]
      let pb = b + offsets[1]
      let po = out + o
      for i in 0..<length { po[i] = f(pa[i * ia], pb[i * ib]) }
      o += length
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
