// Slicing along one axis and its adjoint, slice-scatter: shape rule, lowering and backward.

/// Every `step`-th element of `a` along `axis`, `count` of them, starting at
/// index `start`: Python's `a[..., start:end:step, ...]` with the bounds resolved.
///
/// The forward is a strided gather (a copy); the backward places the gradient
/// back into zeros with ``SliceScatter``, whose own backward is this slice.
public final class Slice: Tensor {
  var a: Tensor { inputs[0] }
  /// The sliced axis (non-negative).
  public let axis: Int
  /// The first index taken, in `0..<a.shape[axis]` unless nothing is taken.
  public let start: Int
  /// The distance between taken indices; negative walks backwards.
  public let step: Int

  init(_ a: Tensor, axis: Int, start: Int, step: Int, count: Int, site: CallSite) {
    self.axis = axis
    self.start = start
    self.step = step
    var dims = a.shape.dims
    dims[axis] = count
    super.init(shape: Shape(dims), inputs: [a], site: site)
  }

  public override var opName: String { "slice" }
  public override var operation: Operation? { .slice(axis: axis, start: start, step: step) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(SliceScatter(grad, into: a.shape, axis: axis, start: start, step: step, site: site))
  }
}

/// A tensor of zeros shaped `shape` with `a` written at the positions a
/// ``Slice`` with the same `axis`, `start` and `step` reads: the slice's adjoint,
/// like `torch.slice_scatter(zeros, a, ...)`.
public final class SliceScatter: Tensor {
  var a: Tensor { inputs[0] }
  /// The axis `a` was sliced along (non-negative).
  public let axis: Int
  /// The index of `a`'s first element along `axis`.
  public let start: Int
  /// The distance between `a`'s elements along `axis`.
  public let step: Int

  init(_ a: Tensor, into shape: Shape, axis: Int, start: Int, step: Int, site: CallSite) {
    self.axis = axis
    self.start = start
    self.step = step
    super.init(shape: shape, inputs: [a], site: site)
  }

  public override var opName: String { "slice_scatter" }
  public override var operation: Operation? { .sliceScatter(axis: axis, start: start, step: step) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(Slice(grad, axis: axis, start: start, step: step, count: a.shape[axis], site: site))
  }
}

extension Tensor {
  /// The elements `start..<end` (every `step`-th) along `axis`, like Python's
  /// `x[..., start:end:step]`.
  ///
  /// Negative `start` and `end` count from the end of the axis; bounds past
  /// either end are clamped, so a slice may be empty; nil means the whole
  /// axis in the direction of `step`. A negative `step` walks backwards (as
  /// numpy does; PyTorch refuses it); a zero step is an error.
  public func slice(
    axis: Int, start: Int? = nil, end: Int? = nil, step: Int = 1, file: StaticString = #fileID, line: UInt = #line
  ) -> Tensor {
    let site = CallSite(file, line)
    guard let axis = shape.normalized(axis: axis) else {
      fail(
        TensorError(op: "slice", message: "axis \(axis) is out of range for shape \(shape)", location: site.location))
    }
    guard step != 0 else {
      fail(
        TensorError(
          op: "slice", message: "step must not be zero (slicing shape \(shape) along axis \(axis))",
          location: site.location))
    }
    let (first, count) = resolvedSlice(length: shape[axis], start: start, end: end, step: step)
    return Slice(self, axis: axis, start: first, step: step, count: count, site: site)
  }
}

/// Python's `slice(start, end, step).indices(length)`: the first index taken
/// and how many are taken.
func resolvedSlice(length: Int, start: Int?, end: Int?, step: Int) -> (start: Int, count: Int) {
  // Bounds clamp to [0, length] walking forwards and to [-1, length - 1]
  // walking backwards (-1 stands for "before the first element").
  let (lower, upper) = step > 0 ? (0, length) : (-1, length - 1)
  func resolve(_ index: Int?, default value: Int) -> Int {
    guard let index else { return value }
    return index < 0 ? Swift.max(index + length, lower) : Swift.min(index, upper)
  }
  let first = resolve(start, default: step > 0 ? lower : upper)
  let stop = resolve(end, default: step > 0 ? upper : lower)
  let span = step > 0 ? stop - first : first - stop
  let stride = step > 0 ? step : -step
  return (first, span > 0 ? (span + stride - 1) / stride : 0)
}

/// Where a slice of a tensor shaped `shape` lies in its storage: the offset of
/// its first element and a stride per dimension.
func slicePositions(in shape: Shape, axis: Int, start: Int, step: Int) -> (offset: Int, strides: [Int]) {
  var strides = shape.strides
  let offset = start * strides[axis]
  strides[axis] *= step
  return (offset, strides)
}
