// One-hot encoding of class indices, and the cross-entropy loss built on it.

/// Class indices turned into rows of 0s with a 1 at the index, like
/// `torch.nn.functional.one_hot`: shape `S` becomes `S + [classes]`.
///
/// The indices are floats holding integers in `0..<classes`; anything else
/// stops with a message naming the value. The result carries no gradient.
public final class OneHot: Tensor {
  var indices: Tensor { inputs[0] }
  /// The number of classes: the length of each row.
  public let classes: Int

  init(_ indices: Tensor, classes: Int, site: CallSite) {
    guard classes > 0 else {
      fail(
        TensorError(
          op: "one_hot", message: "needs at least one class, got \(classes) (indices of shape \(indices.shape))",
          location: site.location))
    }
    self.classes = classes
    super.init(shape: Shape(indices.shape.dims + [classes]), inputs: [indices], site: site)
  }

  // Indices are piecewise constant: no gradient flows through them.
  override var keepsHistory: Bool { false }

  public override var opName: String { "one_hot" }
  public override var operation: Operation? { .oneHot(classes: classes) }

  public override func forward(into out: UnsafeMutablePointer<Float>) {
    if let bad = Elementwise.oneHot(indices.values, count: indices.count, classes: classes, out) {
      let value = indices.values[bad]
      let message =
        "class index \(value) at position \(bad) of indices of shape \(indices.shape)"
        + " is not an integer in 0..<\(classes)"
      fail(TensorError(op: "one_hot", message: message, location: site.location))
    }
  }
}

/// Class indices (floats holding integers in `0..<classes`) as one-hot rows,
/// like `torch.nn.functional.one_hot`.
public func oneHot(_ indices: Tensor, classes: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  OneHot(indices, classes: classes, site: CallSite(file, line))
}

/// The cross-entropy loss of `logits` (shape `[N, C]`, unnormalised scores)
/// against class indices `targets` (shape `[N]`, floats holding integers in
/// `0..<C`), averaged over the `N` rows: `torch.nn.functional.cross_entropy`
/// with its default mean reduction.
///
/// Computed as `mean(-(oneHot(targets) * logSoftmax(logits)).sum(axis: -1))`,
/// stable for logits of any size; the gradient flows to `logits` only.
public func crossEntropy(_ logits: Tensor, _ targets: Tensor, file: StaticString = #fileID, line: UInt = #line)
  -> Tensor
{
  let site = CallSite(file, line)
  guard logits.shape.rank == 2, targets.shape.rank == 1, targets.shape[0] == logits.shape[0] else {
    fail(
      TensorError(
        op: "cross_entropy",
        message: "expected logits [N, C] and targets [N]; got \(logits.shape) and \(targets.shape)",
        location: site.location))
  }
  let mask = OneHot(targets, classes: logits.shape[1], site: site)
  let picked = Mul(mask, logSoftmax(logits, axis: -1, file: file, line: line), site: site)
  return Neg(picked.sum(axis: -1, file: file, line: line).mean(file: file, line: line), site: site)
}
