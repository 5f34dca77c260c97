// Loss functions and penalties, written in tensor ops (their gradients come from the ops).

/// The mean squared error `mean((prediction - target)²)`, like PyTorch's
/// `mse_loss` with its default mean reduction.
///
/// The shapes must be equal: broadcasting `[n, 1]` against `[n]` here is
/// almost always a bug, so it stops instead.
public func mseLoss(_ prediction: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor
{
  expectSameShape("mseLoss", prediction, target, CallSite(file, line))
  let difference = prediction - target
  return (difference * difference).sum(file: file, line: line) / Float(difference.count)
}

/// micrograd's max-margin (SVM) loss `mean(relu(1 - labels·scores))`, for
/// labels of ±1 and raw scores of the same shape.
public func hingeLoss(_ scores: Tensor, _ labels: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  expectSameShape("hingeLoss", scores, labels, CallSite(file, line))
  let margins = relu(1 - labels * scores, file: file, line: line)
  return margins.sum(file: file, line: line) / Float(margins.count)
}

/// The L2 penalty `Σ p²` over every element of `parameters` (a 0-d tensor),
/// added to a loss as `alpha * l2Penalty(model.parameters())`.
public func l2Penalty(_ parameters: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  let squares = parameters.map { ($0 * $0).sum(file: file, line: line) }
  guard let first = squares.first else { return Tensor(0) }
  return squares.dropFirst().reduce(first, +)
}

// The cross-entropy loss comes with the op; enable this once `crossEntropy` is in Ops:
// public func crossEntropyLoss(_ logits: Tensor, _ targets: Tensor) -> Tensor { crossEntropy(logits, targets) }

/// Stops unless `a` and `b` have the same shape.
private func expectSameShape(_ op: String, _ a: Tensor, _ b: Tensor, _ site: CallSite) {
  if a.shape != b.shape {
    fail(
      TensorError(
        op: op, message: "shapes \(a.shape) and \(b.shape) differ; reshape one to match", location: site.location))
  }
}
