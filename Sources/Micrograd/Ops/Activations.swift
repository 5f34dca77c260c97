// Activation functions: shape rule, lowering and backward.

/// `max(a, 0)`, elementwise.
public final class ReLU: Tensor {
  var a: Tensor { inputs[0] }

  init(_ a: Tensor, site: CallSite) {
    super.init(shape: a.shape, inputs: [a], site: site)
  }

  public override var opName: String { "relu" }
  public override var operation: Operation? { .unary(.relu) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad * (a .> 0))  // the mask carries no gradient: relu'' = 0
  }
}

/// The rectified linear unit, `max(x, 0)`.
public func relu(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  ReLU(x, site: CallSite(file, line))
}
