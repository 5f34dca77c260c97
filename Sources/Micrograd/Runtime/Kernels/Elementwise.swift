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
    case .exp: Foundation.exp(x)
    case .log: Foundation.log(x)
    case .tanh: Foundation.tanh(x)
    case .sigmoid: 1 / (1 + Foundation.exp(-x))
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
enum Elementwise {
  /// `y[i] = f(x[i])` for `count` contiguous elements.
  static func unary(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    switch f {
    case .negate: map(x, y, count) { -$0 }
    case .relu: map(x, y, count) { $0 > 0 ? $0 : 0 }
    case .exp: map(x, y, count) { Foundation.exp($0) }
    case .log: map(x, y, count) { Foundation.log($0) }
    case .tanh: map(x, y, count) { Foundation.tanh($0) }
    case .sigmoid: map(x, y, count) { 1 / (1 + Foundation.exp(-$0)) }
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
    switch f {
    case .add: zip(a, aShape, b, bShape, out, outShape) { $0 + $1 }
    case .subtract: zip(a, aShape, b, bShape, out, outShape) { $0 - $1 }
    case .multiply: zip(a, aShape, b, bShape, out, outShape) { $0 * $1 }
    case .divide: zip(a, aShape, b, bShape, out, outShape) { $0 / $1 }
    default: zip(a, aShape, b, bShape, out, outShape) { f($0, $1) }
    }
  }

  /// The broadcasting loop: same-shape and scalar cases run flat; the rest
  /// row by row with a stride per operand (0 where broadcast).
  @inline(__always)
  private static func zip(
    _ a: UnsafePointer<Float>, _ aShape: Shape, _ b: UnsafePointer<Float>, _ bShape: Shape,
    _ out: UnsafeMutablePointer<Float>, _ outShape: Shape, _ f: (Float, Float) -> Float
  ) {
    let n = outShape.count
    if aShape == outShape && bShape == outShape {
      for i in 0..<n { out[i] = f(a[i], b[i]) }
    } else if aShape == outShape && bShape.count == 1 {
      let s = b[0]
      for i in 0..<n { out[i] = f(a[i], s) }
    } else if bShape == outShape && aShape.count == 1 {
      let s = a[0]
      for i in 0..<n { out[i] = f(s, b[i]) }
    } else {
      let sa = aShape.broadcastStrides(to: outShape)
      let sb = bShape.broadcastStrides(to: outShape)
      let inner = outShape.rank - 1
      let ia = inner >= 0 ? sa[inner] : 0
      let ib = inner >= 0 ? sb[inner] : 0
      var o = 0
      StridedRows.forEach(shape: outShape, strides: [sa, sb]) { offsets, length in
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
    let strides = [cShape, aShape, bShape].map { $0.broadcastStrides(to: outShape) }
    let inner = outShape.rank - 1
    let step = strides.map { inner >= 0 ? $0[inner] : 0 }
    var o = 0
    StridedRows.forEach(shape: outShape, strides: strides) { offsets, length in
      let pc = condition + offsets[0]
      let pa = a + offsets[1]
      let pb = b + offsets[2]
      for i in 0..<length { out[o + i] = pc[i * step[0]] != 0 ? pa[i * step[1]] : pb[i * step[2]] }
      o += length
    }
  }

  /// Copies `source` read through `strides` (one per dimension of `shape`,
  /// starting at `offset`) into contiguous `out`: permute, expand and slice
  /// are all this gather.
  static func gather(
    _ source: UnsafePointer<Float>, offset: Int, strides: [Int], _ out: UnsafeMutablePointer<Float>, _ shape: Shape
  ) {
    let inner = shape.rank > 0 ? strides[shape.rank - 1] : 0
    var o = 0
    StridedRows.forEach(shape: shape, strides: [strides], base: [offset]) { offsets, length in
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
