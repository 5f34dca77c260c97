// Log-sum-exp (forward, shape rule, backward), and softmax and log-softmax built on it.

/// `log(sum(exp(a)))` over `axes`, computed without overflow, like `torch.logsumexp`.
///
/// The forward shifts by the maximum (see `Reduction.logSumExp`),
/// so logits of ±1000 are fine. The gradient is the softmax,
/// `grad * exp(a - self)`, written with the output so that it is stable too.
public final class LogSumExp: Tensor {
  var a: Tensor { inputs[0] }
  /// The reduced axes: sorted, distinct, non-negative.
  public let axes: [Int]
  /// Whether reduced axes stay as dimensions of size 1.
  public let keepdims: Bool

  init(_ a: Tensor, axes: [Int]?, keepdims: Bool, site: CallSite) {
    self.axes = normalizedAxes("logsumexp", axes, of: a.shape, site)
    self.keepdims = keepdims
    super.init(shape: reducedShape(a.shape, self.axes, keepdims: keepdims), inputs: [a], site: site)
  }

  public override var opName: String { "logsumexp" }
  public override var operation: Operation? { .logsumexp(axes: axes) }

  public override func backpropagate(_ grad: Tensor) {
    // Without keepdims the reduced axes are put back as size 1 so that both
    // broadcast against `a`.
    let kept = reducedShape(a.shape, axes, keepdims: true)
    a.accumulateGrad(grad.reshape(kept) * Exp(a - self.reshape(kept), site: site))
  }
}

extension Tensor {
  /// `log(sum(exp(x)))` over `axes` (all axes when nil), computed stably, like
  /// `torch.logsumexp(x, dim, keepdim)`. Negative axes count from the end.
  public func logsumexp(axes: [Int]? = nil, keepdims: Bool = false, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
  {
    LogSumExp(self, axes: axes, keepdims: keepdims, site: CallSite(file, line))
  }

  /// `log(sum(exp(x)))` over one axis, computed stably.
  public func logsumexp(axis: Int, keepdims: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    LogSumExp(self, axes: [axis], keepdims: keepdims, site: CallSite(file, line))
  }
}

/// `log(sum(exp(x)))` over `axis`, computed stably, like `torch.logsumexp`.
public func logsumexp(
  _ x: Tensor, axis: Int, keepdims: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
  LogSumExp(x, axes: [axis], keepdims: keepdims, site: CallSite(file, line))
}

/// The logarithm of the softmax along `axis`, `x - logsumexp(x, axis)`, like
/// `torch.log_softmax`. Stable for logits of any size: no `exp` of a large value
/// is ever taken.
public func logSoftmax(_ x: Tensor, axis: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  logSoftmax(x, axis: axis, op: "log_softmax", site: CallSite(file, line))
}

/// The softmax along `axis`, `exp(x) / sum(exp(x))`, like `torch.softmax`.
///
/// Computed as `exp(logSoftmax(x))`, so it is stable (every exponent is at
/// most 0) and its gradient comes from the ``Exp``, ``Sub`` and ``LogSumExp`` rules.
public func softmax(_ x: Tensor, axis: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  let site = CallSite(file, line)
  return Exp(logSoftmax(x, axis: axis, op: "softmax", site: site), site: site)
}

/// `x - logsumexp(x, axis, keepdims: true)`, with a bad axis reported under
/// `op`, the name of the function the user called.
private func logSoftmax(_ x: Tensor, axis: Int, op: String, site: CallSite) -> Tensor {
  let axis = normalizedAxesList(op, [axis], of: x.shape, site)[0]
  return Sub(x, LogSumExp(x, axes: [axis], keepdims: true, site: site), site: site)
}
