// Reordering axes (permute, transpose, .T): shape rule, lowering and backward.

/// `a` with its axes reordered: axis `i` of the result is axis
/// `permutation[i]` of `a`, like `torch.permute`.
///
/// The forward is a strided gather (a copy, not a view); the backward permutes
/// the gradient back with the inverse permutation.
public final class Permute: Tensor {
  var a: Tensor { inputs[0] }
  /// For each output axis, the input axis it comes from (non-negative).
  public let permutation: [Int]

  init(_ a: Tensor, _ permutation: [Int], op: String = "permute", site: CallSite) {
    self.permutation = normalizedPermutation(op, permutation, of: a.shape, site)
    super.init(shape: Shape(self.permutation.map { a.shape[$0] }), inputs: [a], site: site)
  }

  public override var opName: String { "permute" }
  public override var operation: Operation? { .permute(permutation) }

  public override func backpropagate(_ grad: Tensor) {
    var inverse = permutation
    for (outputAxis, inputAxis) in permutation.enumerated() { inverse[inputAxis] = outputAxis }
    a.accumulateGrad(Permute(grad, inverse, site: site))
  }
}

extension Tensor {
  /// The tensor with its axes reordered, like `torch.permute`: axis `i` of the
  /// result is axis `axes[i]` of this tensor. Negative axes count from the end.
  public func permute(_ axes: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let site = CallSite(file, line)
    let permutation = normalizedPermutation("permute", axes, of: shape, site)
    if permutation == Array(0..<shape.rank) { return self }
    return Permute(self, permutation, site: site)
  }

  /// The tensor with two axes swapped, the last two by default, like `torch.transpose`.
  public func transpose(_ axis0: Int = -2, _ axis1: Int = -1, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
  {
    let site = CallSite(file, line)
    let swapped = normalizedAxesList("transpose", [axis0, axis1], of: shape, site)
    var permutation = Array(0..<shape.rank)
    permutation.swapAt(swapped[0], swapped[1])
    if swapped[0] == swapped[1] { return self }
    return Permute(self, permutation, op: "transpose", site: site)
  }

  /// The tensor with all its axes reversed: the transpose of a matrix (numpy's
  /// and PyTorch's `.T`); a vector or scalar is returned as it is.
  public var T: Tensor {
    shape.rank < 2 ? self : Permute(self, Array((0..<shape.rank).reversed()), op: "T", site: .fromOperator)
  }
}

/// `axes` checked against `shape` and made non-negative, order kept; a stop
/// naming `op`, the axes and the shape if one is out of range.
func normalizedAxesList(_ op: String, _ axes: [Int], of shape: Shape, _ site: CallSite) -> [Int] {
  axes.map { axis in
    guard let a = shape.normalized(axis: axis) else {
      fail(TensorError(op: op, message: "axis \(axis) is out of range for shape \(shape)", location: site.location))
    }
    return a
  }
}

/// `axes` checked to be a permutation of the axes of `shape` (negative ones
/// counting from the end) and made non-negative, or a stop naming `op`.
func normalizedPermutation(_ op: String, _ axes: [Int], of shape: Shape, _ site: CallSite) -> [Int] {
  guard axes.count == shape.rank else {
    fail(
      TensorError(
        op: op, message: "\(axes) names \(axes.count) axes for shape \(shape) of rank \(shape.rank)",
        location: site.location))
  }
  let permutation = normalizedAxesList(op, axes, of: shape, site)
  guard Set(permutation).count == permutation.count else {
    fail(TensorError(op: op, message: "\(axes) repeats an axis of shape \(shape)", location: site.location))
  }
  return permutation
}
