import Foundation

extension Reduction {
  /// `log(sum(exp(x)))` over `axes` (sorted, distinct, in range) into `out`,
  /// laid out as the shape with those axes set to 1, like ``reduce(_:_:_:axes:_:)``.
  ///
  /// Stable for large magnitudes: each group is shifted by its maximum before
  /// `exp`, and the shift added back after `log`. An infinite maximum shifts by
  /// 0 instead, so a group of all `-inf` gives `-inf` and one holding `+inf`
  /// gives `+inf` (as PyTorch does), not NaN.
  static func logSumExp(_ x: UnsafePointer<Float>, _ shape: Shape, axes: [Int], _ out: UnsafeMutablePointer<Float>) {
    let kept = Shape(shape.dims.enumerated().map { axes.contains($0.offset) ? 1 : $0.element })
    let shift = UnsafeMutablePointer<Float>.allocate(capacity: max(kept.count, 1))
    let exponentials = UnsafeMutablePointer<Float>.allocate(capacity: max(shape.count, 1))
    defer {
      shift.deallocate()
      exponentials.deallocate()
    }
    reduce(.max, x, shape, axes: axes, shift)
    for i in 0..<kept.count where shift[i].isInfinite { shift[i] = 0 }
    Elementwise.binary(.subtract, x, shape, shift, kept, exponentials, shape)
    Elementwise.unary(.exp, exponentials, exponentials, count: shape.count)
    reduce(.sum, exponentials, shape, axes: axes, out)
    for i in 0..<kept.count { out[i] = Foundation.log(out[i]) + shift[i] }
  }
}
