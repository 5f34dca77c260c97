// The mean over all or some axes: a composite of ``Sum`` and a scalar multiply.

extension Tensor {
  /// The mean over `axes` (all axes when nil), like `torch.mean(x, dim, keepdim)`.
  ///
  /// Negative axes count from the end. Not an op class of its own: it is
  /// `sum(axes) * (1 / n)` with `n` the number of elements averaged, so its
  /// gradient comes from the ``Sum`` and ``Mul`` backward rules (each input
  /// element gets `grad / n`). A mean over an empty axis is NaN, as in PyTorch.
  public func mean(axes: [Int]? = nil, keepdims: Bool = false, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
  {
    let site = CallSite(file, line)
    let axes = normalizedAxes("mean", axes, of: shape, site)
    let n = axes.reduce(1) { $0 * shape[$1] }
    let total = Sum(self, axes: axes, keepdims: keepdims, site: site)
    return Mul(total, Tensor(1 / Float(n), file: file, line: line), site: site)
  }

  /// The mean over one axis.
  public func mean(axis: Int, keepdims: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    mean(axes: [axis], keepdims: keepdims, file: file, line: line)
  }
}
