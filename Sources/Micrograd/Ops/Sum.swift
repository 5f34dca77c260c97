// Summation over all or some axes: shape rule, lowering and backward.

/// The sum of `a` over `axes`, keeping them as size-1 dimensions or not.
public final class Sum: Tensor {
  var a: Tensor { inputs[0] }
  /// The reduced axes: sorted, distinct, non-negative.
  public let axes: [Int]
  /// Whether reduced axes stay as dimensions of size 1.
  public let keepdims: Bool

  init(_ a: Tensor, axes: [Int]?, keepdims: Bool, site: CallSite) {
    self.axes = normalizedAxes("sum", axes, of: a.shape, site)
    self.keepdims = keepdims
    super.init(shape: reducedShape(a.shape, self.axes, keepdims: keepdims), inputs: [a], site: site)
  }

  public override var opName: String { "sum" }
  public override var operation: Operation? { .reduce(.sum, axes: axes) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad.reshape(reducedShape(a.shape, axes, keepdims: true)).expand(to: a.shape))
  }
}

extension Tensor {
  /// The sum over `axes` (all axes when nil), like `torch.sum(x, dim, keepdim)`.
  ///
  /// Negative axes count from the end. Elements are added in one fixed
  /// order, eager and compiled alike: 16 lanes within blocks of 4,096, then
  /// the block sums in order (more accurate than one running total; 2^25
  /// ones sum to 2^25).
  public func sum(axes: [Int]? = nil, keepdims: Bool = false, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
  {
    Sum(self, axes: axes, keepdims: keepdims, site: CallSite(file, line))
  }

  /// The sum over one axis.
  public func sum(axis: Int, keepdims: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    Sum(self, axes: [axis], keepdims: keepdims, site: CallSite(file, line))
  }

  /// Sums a broadcast gradient back to `target`, the shape it was broadcast from.
  func sumToShape(_ target: Shape) -> Tensor {
    let summed = Sum(self, axes: target.broadcastAxes(to: shape), keepdims: true, site: site)
    return summed.shape == target ? summed : summed.reshape(target)
  }
}

/// `axes` checked against `shape` and made sorted, distinct and non-negative;
/// nil means every axis.
func normalizedAxes(_ op: String, _ axes: [Int]?, of shape: Shape, _ site: CallSite) -> [Int] {
  guard let axes else { return Array(0..<shape.rank) }
  var result: [Int] = []
  for axis in axes {
    guard let a = shape.normalized(axis: axis) else {
      fail(TensorError(op: op, message: "axis \(axis) is out of range for shape \(shape)", location: site.location))
    }
    if result.contains(a) {
      fail(
        TensorError(
          op: op, message: "axis \(axis) appears twice in \(axes) for shape \(shape)", location: site.location))
    }
    result.append(a)
  }
  return result.sorted()
}

/// The shape left after reducing `axes`: size-1 dimensions with `keepdims`,
/// else removed.
func reducedShape(_ shape: Shape, _ axes: [Int], keepdims: Bool) -> Shape {
  if keepdims {
    return Shape(shape.dims.enumerated().map { axes.contains($0.offset) ? 1 : $0.element })
  }
  return Shape(shape.dims.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
}
