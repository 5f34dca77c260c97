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
    // The mask comes from the output, as micrograd's does: relu(a) > 0
    // exactly where a > 0 (NaN and -0 included), and a compiled step then
    // needs to keep only the activation, not the pre-activation too. The
    // mask carries no gradient: relu'' = 0.
    a.accumulateGrad(grad * (self .> 0))
  }
}

/// `tanh(a)`, elementwise.
public final class Tanh: Tensor {
  var a: Tensor { inputs[0] }

  init(_ a: Tensor, site: CallSite) {
    super.init(shape: a.shape, inputs: [a], site: site)
  }

  public override var opName: String { "tanh" }
  public override var operation: Operation? { .unary(.tanh) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad * (1 - self * self))  // tanh' = 1 - tanh²
  }
}

/// The logistic function `1 / (1 + e^-a)`, elementwise.
public final class Sigmoid: Tensor {
  var a: Tensor { inputs[0] }

  init(_ a: Tensor, site: CallSite) {
    super.init(shape: a.shape, inputs: [a], site: site)
  }

  public override var opName: String { "sigmoid" }
  public override var operation: Operation? { .unary(.sigmoid) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad * self * (1 - self))  // σ' = σ(1 - σ)
  }
}

/// The rectified linear unit, `max(x, 0)`.
public func relu(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  ReLU(x, site: CallSite(file, line))
}

/// The hyperbolic tangent of `x`, elementwise (`torch.tanh`).
public func tanh(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  Tanh(x, site: CallSite(file, line))
}

/// The logistic sigmoid `1 / (1 + e^-x)`, elementwise (`torch.sigmoid`).
public func sigmoid(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  Sigmoid(x, site: CallSite(file, line))
}
