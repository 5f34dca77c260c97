// Activation functions: forward, shape rule and backward.

/// `max(a, 0)`, elementwise.
public final class ReLU: Tensor {
  var a: Tensor { inputs[0] }

  init(_ a: Tensor, site: CallSite) {
    super.init(shape: a.shape, inputs: [a], site: site)
  }

  public override var opName: String { "relu" }

  public override func forward(into out: UnsafeMutablePointer<Float>) {
    Elementwise.unary(.relu, a.values, out, count: count)
  }

  public override func backpropagate(_ grad: Tensor) {
    // The mask is data, not part of the differentiable graph: relu'' = 0.
    let mask = Tensor(storage: Storage(count: count), shape: shape)
    Elementwise.unary(.relu, values, mask.storage.base, count: count)
    for i in 0..<count { mask.storage.base[i] = mask.storage.base[i] > 0 ? 1 : 0 }
    a.accumulateGrad(grad * mask)
  }
}

/// The rectified linear unit, `max(x, 0)`.
public func relu(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  ReLU(x, site: CallSite(file, line))
}
