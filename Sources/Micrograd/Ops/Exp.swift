// The exponential and the natural logarithm: shape rule, lowering and backward.

/// `e^a`, elementwise.
public final class Exp: Tensor {
  var a: Tensor { inputs[0] }

  init(_ a: Tensor, site: CallSite) {
    super.init(shape: a.shape, inputs: [a], site: site)
  }

  public override var opName: String { "exp" }
  public override var operation: Operation? { .unary(.exp) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad * self)  // d(e^x)/dx = e^x, the output itself
  }
}

/// `ln(a)`, elementwise.
public final class Log: Tensor {
  var a: Tensor { inputs[0] }

  init(_ a: Tensor, site: CallSite) {
    super.init(shape: a.shape, inputs: [a], site: site)
  }

  public override var opName: String { "log" }
  public override var operation: Operation? { .unary(.log) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad / a)
  }
}

/// `e^x`, elementwise (`torch.exp`).
public func exp(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  Exp(x, site: CallSite(file, line))
}

/// The natural logarithm of `x`, elementwise (`torch.log`); NaN below 0, -inf at 0.
public func log(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  Log(x, site: CallSite(file, line))
}
