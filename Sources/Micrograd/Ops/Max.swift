// The maximum over all or some axes (values only): shape rule, lowering and backward.

/// The largest element of `a` over `axes`, like `torch.amax`; NaN if any
/// element of the group is NaN.
///
/// The gradient goes to the elements equal to the maximum, split evenly when
/// several tie (as `torch.amax` does; `torch.max(dim)` would pick one).
public final class Max: Tensor {
  var a: Tensor { inputs[0] }
  /// The reduced axes: sorted, distinct, non-negative.
  public let axes: [Int]
  /// Whether reduced axes stay as dimensions of size 1.
  public let keepdims: Bool

  init(_ a: Tensor, axes: [Int]?, keepdims: Bool, site: CallSite) {
    self.axes = normalizedAxes("max", axes, of: a.shape, site)
    self.keepdims = keepdims
    if let empty = self.axes.first(where: { a.shape[$0] == 0 }) {
      fail(
        TensorError(
          op: "max", message: "cannot take the max over axis \(empty) of size 0 in shape \(a.shape)",
          location: site.location))
    }
    super.init(shape: reducedShape(a.shape, self.axes, keepdims: keepdims), inputs: [a], site: site)
  }

  public override var opName: String { "max" }
  public override var operation: Operation? { .reduce(.max, axes: axes) }

  public override func backpropagate(_ grad: Tensor) {
    // The mask of maxima is piecewise constant and carries no gradient, so
    // this rule is linear in `grad` and differentiable again.
    let kept = reducedShape(a.shape, axes, keepdims: true)
    let isMax = a .== self.reshape(kept)
    let ties = isMax.sum(axes: axes, keepdims: true)
    a.accumulateGrad(grad.reshape(kept) * isMax / ties)
  }
}

extension Tensor {
  /// The maximum over `axes` (all axes when nil), like `torch.amax(x, dim, keepdim)`.
  ///
  /// Negative axes count from the end.
  public func max(axes: [Int]? = nil, keepdims: Bool = false, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
  {
    Max(self, axes: axes, keepdims: keepdims, site: CallSite(file, line))
  }

  /// The maximum over one axis (values only, like `torch.amax`).
  public func max(axis: Int, keepdims: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    Max(self, axes: [axis], keepdims: keepdims, site: CallSite(file, line))
  }
}
