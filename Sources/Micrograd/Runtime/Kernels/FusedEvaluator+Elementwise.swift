/// The elementwise loops fused kernels run: binary functions, select, and
/// inputs broadcast or gathered into the block being evaluated.
extension FusedEvaluator {
  /// `out[i] = f(a[i], b[i])` for `n` elements, one specialised loop per
  /// function (each vectorises), with the reference's arithmetic.
  static func binary(
    _ f: BinaryFunction, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    _ n: Int
  ) {
    switch f {
    case .add: zip(a, b, out, n) { BinaryFunction.add($0, $1) }
    case .subtract: zip(a, b, out, n) { BinaryFunction.subtract($0, $1) }
    case .multiply: zip(a, b, out, n) { BinaryFunction.multiply($0, $1) }
    case .divide: zip(a, b, out, n) { BinaryFunction.divide($0, $1) }
    case .maximum: zip(a, b, out, n) { BinaryFunction.maximum($0, $1) }
    case .minimum: zip(a, b, out, n) { BinaryFunction.minimum($0, $1) }
    case .greater: zip(a, b, out, n) { BinaryFunction.greater($0, $1) }
    case .greaterEqual: zip(a, b, out, n) { BinaryFunction.greaterEqual($0, $1) }
    case .less: zip(a, b, out, n) { BinaryFunction.less($0, $1) }
    case .lessEqual: zip(a, b, out, n) { BinaryFunction.lessEqual($0, $1) }
    case .equal: zip(a, b, out, n) { BinaryFunction.equal($0, $1) }
    case .notEqual: zip(a, b, out, n) { BinaryFunction.notEqual($0, $1) }
    }
  }

  @inline(__always)
  private static func zip(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
    _ f: (Float, Float) -> Float
  ) {
    for i in 0..<n { out[i] = f(a[i], b[i]) }
  }

  /// `out[i] = condition[i] != 0 ? a[i] : b[i]`, as the eager select.
  static func select(
    _ condition: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { out[i] = condition[i] != 0 ? a[i] : b[i] }
  }

  /// The flat-index period of an input broadcast to `shape` when its values
  /// repeat along the flat index (its dimensions, right-aligned, equal
  /// `shape`'s trailing ones and are 1 before them): 1 for a scalar, `n` for
  /// a row `[n]` or `[1, n]` against `[m, n]`; nil otherwise.
  static func period(of input: Shape, in shape: Shape) -> Int? {
    var period = 1
    var matching = true
    for i in 0..<input.rank {
      let own = input.dims[input.rank - 1 - i]
      if matching && own == shape.dims[shape.rank - 1 - i] {
        period *= own
      } else if own == 1 {
        matching = false
      } else {
        return nil
      }
    }
    return period
  }

  /// Writes the strides for reading `input` broadcast to `shape` (0 along
  /// broadcast axes), one per axis of `shape`.
  static func writeBroadcastStrides(of input: Shape, to shape: Shape, into strides: UnsafeMutablePointer<Int>) {
    let offset = shape.rank - input.rank
    var step = 1
    for axis in stride(from: shape.rank - 1, through: 0, by: -1) {
      let own = axis < offset ? 1 : input.dims[axis - offset]
      strides[axis] = own == 1 ? 0 : step
      step *= own
    }
  }

  /// Writes elements `start..<start+count` of `source` read through
  /// `strides` over `shape` into `row`, a run of the innermost axis at a
  /// time; `index` is scratch for the multi-index (one per axis).
  static func gather(
    _ source: UnsafePointer<Float>, _ strides: UnsafePointer<Int>, _ index: UnsafeMutablePointer<Int>, _ shape: Shape,
    _ start: Int, _ count: Int, into row: UnsafeMutablePointer<Float>
  ) {
    let dims = shape.dims
    let last = dims.count - 1
    var rest = start
    var offset = 0
    for axis in stride(from: last, through: 0, by: -1) {
      index[axis] = rest % dims[axis]
      rest /= dims[axis]
      offset += index[axis] * strides[axis]
    }
    let (inner, length) = (strides[last], dims[last])
    var filled = 0
    while true {
      let run = min(length - index[last], count - filled)
      let p = source + offset
      switch inner {
      case 0: (row + filled).update(repeating: p[0], count: run)
      case 1: (row + filled).update(from: p, count: run)
      default: for j in 0..<run { row[filled + j] = p[j * inner] }
      }
      filled += run
      if filled == count { return }
      // The innermost run ended: step the outer axes by one.
      offset -= index[last] * inner
      index[last] = 0
      var axis = last - 1
      while axis >= 0 {
        index[axis] += 1
        offset += strides[axis]
        if index[axis] < dims[axis] { break }
        offset -= index[axis] * strides[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }
}
